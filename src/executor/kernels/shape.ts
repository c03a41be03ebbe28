/** Kernels: Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Expand, Shape, Size, Gather, Pad, Identity, Flatten. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
