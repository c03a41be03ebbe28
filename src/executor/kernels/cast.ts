/** Kernels: Cast, CastLike. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
