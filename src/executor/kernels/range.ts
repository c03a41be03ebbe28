/**
 * Range (opset 11): `start, start + delta, ...` up to but excluding `limit`, with
 * `max(ceil((limit - start) / delta), 0)` elements. Values are accumulated in the element type, one
 * `+ delta` per element, as the operator's function body (a Loop of `prev + delta`) and onnxruntime do;
 * for float32 that is not the same as `start + i * delta` once rounding accumulates.
 */
import { shapeToString, type Tensor } from '../../tensor.js';
import { DimsBuffer } from '../dims-buffer.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { int32At, int64Words, setInt64 } from './int64-words.js';
import { kernelError, OneResult } from './shape-impl.js';

const TYPES = new Set(['float32', 'float64', 'int16', 'int32', 'int64']);
const NAMES = ['start', 'limit', 'delta'] as const;

const range: KernelDef = {
  opType: 'Range',
  sinceVersion: 11,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 3);
    const { node } = init;
    const result = new OneResult();
    const dims = new DimsBuffer();
    return {
      run(inputs, ctx) {
        const dtype = inputs[0]!.dtype;
        if (!TYPES.has(dtype)) throw kernelError(node, `start must be float, double, int16, int32 or int64, got ${dtype}`);
        for (let i = 0; i < 3; i++) {
          const t = inputs[i]!;
          if (t.dtype !== dtype) throw kernelError(node, `${NAMES[i]} is ${t.dtype} but start is ${dtype}: all three must have one type`);
          if (t.data.length !== 1) throw kernelError(node, `${NAMES[i]} must be a scalar, got shape ${shapeToString(t.dims)}`);
        }
        const start = scalar(inputs[0]!);
        const limit = scalar(inputs[1]!);
        const delta = scalar(inputs[2]!);
        if (delta === 0) throw kernelError(node, `delta must not be zero`);
        // The difference is taken in the element type first (float32 rounds it), then divided in double.
        const span = dtype === 'float32' ? Math.fround(limit - start) : limit - start;
        const n = Math.max(Math.ceil(span / delta), 0);
        if (!Number.isFinite(n) || n > 2 ** 31 - 1) {
          throw kernelError(node, `start ${start}, limit ${limit}, delta ${delta} give ${n} elements, more than a tensor can hold`);
        }
        dims.reset().push(n);
        const out = ctx.output(0, dtype, dims.finish());
        if (out.dtype === 'int64') {
          const data = out.data as BigInt64Array;
          const words = int64Words(data);
          for (let i = 0, v = start; i < n; i++, v += delta) setInt64(data, words, i, v);
        } else {
          // Storing into the typed array rounds (float32) or wraps (int16/int32) each value, and the next one
          // is computed from the stored value, so the accumulation happens in the element type.
          const data = out.data as Float32Array | Float64Array | Int16Array | Int32Array;
          let v = start;
          for (let i = 0; i < n; i++) {
            data[i] = v;
            v = data[i]! + delta;
          }
        }
        return result.of(out);
      },
    };
  },
};

/**
 * The one element of a numeric scalar tensor as a number. int64 is read through its 32-bit words when it
 * fits int32, so a steady-state run creates no BigInt; beyond 2^53 it is not exact.
 */
function scalar(t: Tensor): number {
  if (t.dtype === 'int64') {
    const data = t.data as BigInt64Array;
    return int32At(data, int64Words(data), 0) ?? Number(data[0]);
  }
  return t.data[0] as number;
}

export const rangeKernels: KernelDef[] = [range];
