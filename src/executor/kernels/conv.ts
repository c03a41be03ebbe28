/**
 * Kernels: Conv (1-D and 2-D; pads, auto_pad, strides, dilations, group, bias). Math in conv-impl.ts.
 *
 * Weights are used in place: ONNX's [M, C/group, kH, kW] layout already holds each output channel's taps
 * contiguously in the order the patch is gathered, which is the packed form the dot products want, so
 * load-time packing would only copy. Geometry is computed once per (X, W) shape and reused.
 */
import { attrInt, attrInts, attrString } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
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

const conv: KernelDef = {
  opType: 'Conv',
  sinceVersion: 1,
  create({ node }): Kernel {
    const attrs = readAttributes(node);
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
        const patch = ctx.scratch(0, 'float64', patchLength(geometry));
        conv2d(geometry, x.data, w.data, b?.data, y.data, patch);
        return result.of(y);
      },
    };
  },
};

export const kernels: KernelDef[] = [conv];
