/**
 * The one place that lists which operators the built-in executor implements. Each family file exports its
 * `kernels`; adding an operator touches that file only.
 */
import type { KernelDef } from '../kernel.js';
import { kernels as activation } from './activation.js';
import { batchNormKernels } from './batch-norm.js';
import { kernels as cast } from './cast.js';
import { kernels as constant } from './constant.js';
import { kernels as control } from './control.js';
import { kernels as conv } from './conv.js';
import { cumSumKernels } from './cumsum.js';
import { dropoutKernels } from './dropout.js';
import { elementwiseMoreKernels } from './elementwise-more.js';
import { kernels as elementwise } from './elementwise.js';
import { gatherElementsKernels } from './gather-elements.js';
import { globalPoolKernels } from './global-pool.js';
import { kernels as gru } from './gru.js';
import { instanceNormKernels } from './instance-norm.js';
import { layerNormKernels } from './layer-norm.js';
import { kernels as lstm } from './lstm.js';
import { kernels as matmul } from './matmul.js';
import { modPReluKernels } from './mod-prelu.js';
import { poolKernels } from './pool.js';
import { rangeKernels } from './range.js';
import { kernels as reduce } from './reduce.js';
import { kernels as rnn } from './rnn.js';
import { kernels as shape } from './shape.js';
import { tileKernels } from './tile.js';
import { variadicKernels } from './variadic.js';

export const ALL_KERNELS: readonly KernelDef[] = [
  ...elementwise,
  ...activation,
  ...reduce,
  ...matmul,
  ...shape,
  ...cast,
  ...constant,
  ...conv,
  ...control,
  ...rnn,
  ...lstm,
  ...gru,
  ...rangeKernels,
  ...cumSumKernels,
  ...batchNormKernels,
  ...layerNormKernels,
  ...instanceNormKernels,
  ...poolKernels,
  ...globalPoolKernels,
  ...dropoutKernels,
  ...tileKernels,
  ...gatherElementsKernels,
  ...variadicKernels,
  ...elementwiseMoreKernels,
  ...modPReluKernels,
];

const normDomain = (d: string | undefined) => (d === undefined || d === 'ai.onnx' ? '' : d);

/** The kernel implementing `opType` at `opset` in `domain`, or undefined. */
export function findKernel(opType: string, domain: string, opset: number): KernelDef | undefined {
  const dom = normDomain(domain);
  return ALL_KERNELS.find(
    (k) =>
      k.opType === opType &&
      normDomain(k.domain) === dom &&
      k.sinceVersion <= opset &&
      (k.untilVersion === undefined || opset <= k.untilVersion),
  );
}
