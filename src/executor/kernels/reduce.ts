/** Kernels: ReduceMax/ReduceMean/ReduceSum, ArgMax, TopK. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
