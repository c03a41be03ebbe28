/**
 * InstanceNormalization (opset 6): each (sample, channel) plane of X [N, C, D1, ...] is normalised by its
 * own mean and variance, then scaled and shifted per channel:
 * `Y = scale[c] * (X - mean) / sqrt(var + epsilon) + B[c]`. Means and variances are two-pass sums in
 * double. Rank 2 is accepted (each plane is one element, so Y = B), as the ONNX reference implementation
 * does; onnxruntime rejects it.
 */
import { attrFloat } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { dimsText, kernelError, OneResult } from './shape-impl.js';

type FloatArray = Float32Array | Float64Array;

const instanceNorm: KernelDef = {
  opType: 'InstanceNormalization',
  sinceVersion: 6,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 3);
    const { node } = init;
    const epsilon = attrFloat(node, 'epsilon', 1e-5);
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (x.dtype !== 'float32' && x.dtype !== 'float64') throw kernelError(node, `input must be float32 or float64, got ${x.dtype}`);
        const rank = x.dims.length;
        if (rank < 2) throw kernelError(node, `input must have rank 2 or more ([N, C, ...]), got ${dimsText(x.dims)}`);
        checkParam(node, 'scale', inputs[1]!, x);
        checkParam(node, 'B', inputs[2]!, x);
        const C = x.dims[1]!;
        let inner = 1;
        for (let i = 2; i < rank; i++) inner *= x.dims[i]!;
        const out = ctx.output(0, x.dtype, x.dims);
        const xd = x.data as FloatArray;
        const yd = out.data as FloatArray;
        const scale = inputs[1]!.data as FloatArray;
        const bias = inputs[2]!.data as FloatArray;
        const planes = x.dims[0]! * C;
        for (let plane = 0; plane < planes; plane++) {
          const start = plane * inner;
          const end = start + inner;
          let sum = 0;
          for (let p = start; p < end; p++) sum += xd[p]!;
          const mean = sum / inner;
          let sq = 0;
          for (let p = start; p < end; p++) {
            const d = xd[p]! - mean;
            sq += d * d;
          }
          const c = plane % C;
          const a = scale[c]! / Math.sqrt(sq / inner + epsilon);
          const b = bias[c]!;
          for (let p = start; p < end; p++) yd[p] = (xd[p]! - mean) * a + b;
        }
        return result.of(out);
      },
    };
  },
};

function checkParam(node: Node, name: string, p: Tensor, x: Tensor): void {
  if (p.dtype !== x.dtype) throw kernelError(node, `${name} is ${p.dtype}, expected ${x.dtype} (the input's type)`);
  if (p.dims.length !== 1 || p.dims[0] !== x.dims[1]) {
    throw kernelError(node, `${name} has shape ${dimsText(p.dims)}, expected [${x.dims[1]}] (C of input ${dimsText(x.dims)})`);
  }
}

export const instanceNormKernels: KernelDef[] = [instanceNorm];
