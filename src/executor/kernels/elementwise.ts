/** Kernels: unary and binary math with numpy broadcasting, comparisons, logic, Where, Clip, Pow, Max/Min. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
