/** Kernels: Conv 1-D and 2-D. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
