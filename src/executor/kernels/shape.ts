/**
 * Kernels: Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Expand, Shape, Size, Gather, Pad,
 * Identity, Flatten. Each group lives in its own file; this one only collects them for the registry.
 */
import type { KernelDef } from '../kernel.js';
import { padKernels } from './pad.js';
import { concatSplitKernels } from './shape-concat-split.js';
import { gatherKernels } from './shape-gather.js';
import { infoKernels } from './shape-info.js';
import { layoutKernels } from './shape-layout.js';
import { viewKernels } from './shape-views.js';

export const kernels: KernelDef[] = [
  ...viewKernels,
  ...layoutKernels,
  ...concatSplitKernels,
  ...gatherKernels,
  ...infoKernels,
  ...padKernels,
];
