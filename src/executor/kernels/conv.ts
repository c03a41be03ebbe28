/**
 * Kernels: Conv (1-D and 2-D; pads, auto_pad, strides, dilations, group, bias).
 *
 * Float32 weights known at load (initializers, folded constants: every trained model's case) are packed
 * once at create into the WebAssembly SIMD product of conv-gemm.ts. Everything else (weights fed at run
 * time, float64, engines without wasm SIMD) runs conv-impl.ts's JavaScript loop, which uses ONNX's
 * [M, C/group, kH, kW] layout in place. Geometry is computed once per (X, W) shape and reused.
 */
import { attrInt, attrInts, attrString } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { ConvGemm } from './conv-gemm.js';
import { simdGemmAvailable } from './tiled-gemm.js';
import { conv2d, convGeometry, patchLength, type AutoPad, type ConvAttributes, type ConvGeometry } from './conv-impl.js';
import { dimsText, kernelError, OneResult, sameDims } from './shape-impl.js';

const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

function readAttributes(node: Node): ConvAttributes {
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) {
    throw kernelError(node, `auto_pad '${autoPad}' is not one of ${AUTO_PADS.join(', ')}`);
  }
  return {
    autoPad: autoPad as AutoPad,
    kernelShape: attrInts(node, 'kernel_shape'),
    strides: attrInts(node, 'strides'),
    dilations: attrInts(node, 'dilations'),
    pads: attrInts(node, 'pads'),
    group: attrInt(node, 'group', 1),
  };
}

function floatInput(node: Node, t: Tensor | undefined, what: string, dtype?: string): Tensor<'float32' | 'float64'> {
  if (t === undefined) throw kernelError(node, `input ${what} is required`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw kernelError(node, `${what} must be float32 or float64, got ${t.dtype}`);
  if (dtype !== undefined && t.dtype !== dtype) throw kernelError(node, `${what} is ${t.dtype} but X is ${dtype}`);
  return t as Tensor<'float32' | 'float64'>;
}

/**
 * The SIMD form of constant float32 weights, or undefined where the JavaScript loop runs instead. Shapes
 * that the geometry check will reject at run time are left to it (and its error message).
 */
function packedWeights(attrs: ConvAttributes, w: Tensor | undefined): ConvGemm | undefined {
  if (w === undefined || w.dtype !== 'float32' || (w.dims.length !== 3 && w.dims.length !== 4)) return undefined;
  const outChannels = w.dims[0]!;
  if (w.data.length === 0 || attrs.group < 1 || outChannels % attrs.group !== 0 || !simdGemmAvailable()) return undefined;
  try {
    return new ConvGemm(w.data as Float32Array, outChannels, attrs.group);
  } catch (e) {
    // The engine refused the module's memory (weights beyond WebAssembly's 4 GiB, a memory limit): the
    // JavaScript loop needs no copy of the weights, so it still runs.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

const conv: KernelDef = {
  opType: 'Conv',
  sinceVersion: 1,
  create({ node, constants }): Kernel {
    const attrs = readAttributes(node);
    const fast = packedWeights(attrs, constants[1]);
    let geometry: ConvGeometry | undefined;
    let xKey: number[] | undefined;
    let wKey: number[] | undefined;
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const x = floatInput(node, inputs[0], 'X');
        const w = floatInput(node, inputs[1], 'W', x.dtype);
        const b = inputs[2] === undefined ? undefined : floatInput(node, inputs[2], 'B', x.dtype);
        if (!geometry || !sameDims(xKey, x.dims) || !sameDims(wKey, w.dims)) {
          geometry = convGeometry(node, attrs, x.dims, w.dims);
          xKey = [...x.dims];
          wKey = [...w.dims];
        }
        if (b !== undefined && (b.dims.length !== 1 || b.dims[0] !== geometry.outChannels)) {
          throw kernelError(node, `B must be [${geometry.outChannels}] (one bias per output channel), got ${dimsText(b.dims)}`);
        }
        const y = ctx.output(0, x.dtype, geometry.outDims);
        if (fast !== undefined && x.dtype === 'float32' && w === constants[1]) {
          fast.run(geometry, x.data as Float32Array, b?.data, y.data as Float32Array);
          return result.of(y);
        }
        const patch = ctx.scratch(0, 'float64', patchLength(geometry));
        conv2d(geometry, x.data, w.data, b?.data, y.data, patch);
        return result.of(y);
      },
    };
  },
};

export const kernels: KernelDef[] = [conv];
