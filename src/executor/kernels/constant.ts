/** Kernels: Constant, ConstantOfShape. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
