/**
 * Kernels: the variadic element-wise operators Max, Min, Sum and Mean, over numpy broadcasting of any
 * number of inputs. One loop serves all four: the output starts as `op(input 0, input 1)` and folds each
 * further input into itself with the same row function (a binary row whose first operand is the output),
 * which is also the order onnxruntime accumulates in — float32 sums round after every input.
 */
import { KernelError } from '../../errors.js';
import { describeNode } from '../../ir/graph.js';
import { sameDims, shapeToString, type DType, type Tensor } from '../../tensor.js';
import { Broadcaster } from '../broadcast.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { requireInputs } from './arity.js';
import { ADD } from './elementwise-binary.js';
import type { Arr, RowFn } from './elementwise-impl.js';

// NaN propagates, as numpy.maximum / std::max-with-NaN-check do: a NaN in the first operand stays (no
// comparison with it is true) and a NaN in the second replaces it. The same loop serves bigint arrays.
const maxRow: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const v = b[bo];
    const cur = a[ao];
    out[o + i] = v > cur || v !== v ? v : cur;
  }
};
const minRow: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const v = b[bo];
    const cur = a[ao];
    out[o + i] = v < cur || v !== v ? v : cur;
  }
};
const addRow: RowFn = ADD.num!('float32');

interface VariadicOp {
  row: RowFn;
  /** Dtypes taken; undefined: any but bool. */
  dtypes?: readonly DType[];
  /** Divide the fold by the input count (Mean). */
  mean?: boolean;
  /** Opset from which inputs broadcast; before it they must share one shape (Sum-6, Mean-6). */
  broadcastSince?: number;
}

const FLOATS: readonly DType[] = ['float32', 'float64'];

function variadicKernel(opType: string, op: VariadicOp): KernelDef {
  return {
    opType,
    // Versions before 6 differ only by the legacy `consumed_inputs` attribute.
    sinceVersion: 1,
    freshOutputs: true,
    create(init: KernelInit): Kernel {
      requireInputs(init, init.node.inputs.length === 0 ? 1 : init.node.inputs.length);
      const what = describeNode(init.node);
      const n = init.node.inputs.length;
      const sameShape = op.broadcastSince !== undefined && init.opset < op.broadcastSince;
      const bc = new Broadcaster(n);
      const ins: Tensor[] = [];
      const result: (Tensor | undefined)[] = [undefined];
      const row = op.row;
      return {
        run(inputs, ctx) {
          const first = inputs[0]!;
          const dtype = first.dtype;
          for (let k = 0; k < n; k++) {
            const t = inputs[k]!;
            if (t.dtype !== dtype) throw new KernelError(`${what}: all inputs must share a dtype; input 0 is ${dtype}, input ${k} is ${t.dtype}`);
            if (sameShape && !sameDims(t.dims, first.dims)) {
              throw new KernelError(
                `${what}: before opset ${op.broadcastSince} ${opType} does not broadcast: all inputs must have input 0's shape ${shapeToString(first.dims)}, input ${k} has ${shapeToString(t.dims)}`,
              );
            }
            ins[k] = t;
          }
          if (op.dtypes === undefined ? dtype === 'bool' : !op.dtypes.includes(dtype)) {
            throw new KernelError(`${what}: ${opType} ${op.dtypes === undefined ? 'does not accept bool' : `takes ${op.dtypes.join('/')}, got ${dtype}`}`);
          }
          bc.plan(ins, ctx, what);
          const out = ctx.output(0, dtype, bc.dims);
          const od = out.data as Arr;
          const len = bc.rowLen;
          for (let r = 0, o = 0; r < bc.rows; r++, o += len) {
            const src = ins[0]!.data as Arr;
            const s = bc.steps[0]!;
            const off = bc.offsets[0]![r]!;
            if (n === 1) {
              for (let i = 0, p = off; i < len; i++, p += s) od[o + i] = src[p];
              continue;
            }
            row(od, o, src, off, s, ins[1]!.data, bc.offsets[1]![r]!, bc.steps[1]!, len);
            for (let k = 2; k < n; k++) row(od, o, od, o, 1, ins[k]!.data, bc.offsets[k]![r]!, bc.steps[k]!, len);
          }
          if (op.mean === true) {
            for (let i = 0; i < od.length; i++) od[i] = od[i] / n;
          }
          result[0] = out;
          return result;
        },
      };
    },
  };
}

// Max and Min keep the broadcasting they always had here at every opset; Sum and Mean follow the operator
// text, which added broadcasting in opset 8 (onnxruntime's Sum-6 also rejects differing shapes).
export const variadicKernels: KernelDef[] = [
  variadicKernel('Max', { row: maxRow }),
  variadicKernel('Min', { row: minRow }),
  variadicKernel('Sum', { row: addRow, dtypes: FLOATS, broadcastSince: 8 }),
  variadicKernel('Mean', { row: addRow, dtypes: FLOATS, broadcastSince: 8, mean: true }),
];
