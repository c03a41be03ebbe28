/**
 * Kernels that only change how a buffer is read: Reshape, Squeeze, Unsqueeze, Flatten, Identity. They
 * return a view `{ ...input, dims }` sharing the input's data, so they cost no copy and no pool buffer.
 */
import { attrInt, attrInts } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { sizeOf, type Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { DimsMemo, dimsText, kernelError, normalizeAxes, normalizeAxis, OneResult, readIntList } from './shape-impl.js';

/** Hands out views over an input's data, reusing the last view object while data and dims repeat. */
class Viewer {
  private last: Tensor | undefined;
  of(input: Tensor, dims: readonly number[]): Tensor {
    const last = this.last;
    if (last !== undefined && last.data === input.data && last.dims === dims && last.dtype === input.dtype) return last;
    this.last = { dtype: input.dtype, dims, data: input.data };
    return this.last;
  }
}

function required(node: Node, inputs: readonly (Tensor | undefined)[], index: number, what: string): Tensor {
  const t = inputs[index];
  if (t === undefined) throw kernelError(node, `input ${index} (${what}) is required`);
  return t;
}

/** ONNX Reshape (opset 5+): `0` copies the input dimension unless `allowzero`, `-1` is inferred. */
export function reshapeDims(node: Node, inDims: readonly number[], shape: readonly number[], allowZero: boolean): number[] {
  const total = sizeOf(inDims);
  const out = new Array<number>(shape.length);
  let inferAt = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    let d = shape[i]!;
    if (d === -1) {
      if (inferAt >= 0) throw kernelError(node, `shape ${dimsText(shape)} has more than one -1`);
      inferAt = i;
      continue;
    }
    if (d === 0 && !allowZero) {
      if (i >= inDims.length) {
        throw kernelError(node, `shape ${dimsText(shape)} copies dimension ${i} (0) but the input ${dimsText(inDims)} has rank ${inDims.length}`);
      }
      d = inDims[i]!;
    } else if (d < 0 || !Number.isInteger(d)) {
      throw kernelError(node, `shape ${dimsText(shape)} has an invalid dimension ${d} (expected -1, 0 or a positive size)`);
    }
    out[i] = d;
    known *= d;
  }
  if (allowZero && inferAt >= 0 && shape.includes(0)) {
    throw kernelError(node, `shape ${dimsText(shape)} mixes -1 with a literal 0 while allowzero=1`);
  }
  if (inferAt >= 0) {
    if (known === 0 || total % known !== 0) {
      throw kernelError(node, `cannot infer the -1 in shape ${dimsText(shape)} from input ${dimsText(inDims)} (${total} elements)`);
    }
    out[inferAt] = total / known;
    known = total;
  }
  if (known !== total) {
    throw kernelError(node, `cannot reshape input ${dimsText(inDims)} (${total} elements) to ${dimsText(out)} (${known} elements)`);
  }
  return out;
}

const reshape: KernelDef = {
  opType: 'Reshape',
  sinceVersion: 5,
  create({ node }): Kernel {
    const allowZero = attrInt(node, 'allowzero', 0) !== 0;
    const memo = new DimsMemo<number[]>();
    const viewer = new Viewer();
    const result = new OneResult();
    return {
      run(inputs) {
        const data = required(node, inputs, 0, 'data');
        const shape = required(node, inputs, 1, 'shape');
        const dims =
          memo.hit(data.dims, shape) ?? memo.store(reshapeDims(node, data.dims, readIntList(node, shape, 'shape'), allowZero), data.dims, shape);
        return result.of(viewer.of(data, dims));
      },
    };
  },
};

/** Squeeze without axes (absent, or an empty list as onnxruntime reads it) drops every size-1 axis. */
export function squeezeDims(node: Node, inDims: readonly number[], raw: readonly number[] | undefined): number[] {
  if (raw === undefined || raw.length === 0) return inDims.filter((d) => d !== 1);
  const axes = normalizeAxes(node, raw, inDims.length);
  for (const a of axes) {
    if (inDims[a] !== 1) {
      throw kernelError(node, `cannot squeeze axis ${a} of input ${dimsText(inDims)}: its size is ${inDims[a]}, not 1`);
    }
  }
  return inDims.filter((_, i) => !axes.includes(i));
}

/** Unsqueeze's axes index the output, whose rank is the input's plus the number of axes. */
export function unsqueezeDims(node: Node, inDims: readonly number[], raw: readonly number[]): number[] {
  const rank = inDims.length + raw.length;
  const axes = normalizeAxes(node, raw, rank);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : inDims[next++]!);
  return out;
}

export function flattenDims(node: Node, inDims: readonly number[], axisAttr: number): number[] {
  const rank = inDims.length;
  // Flatten's axis may equal the rank (everything goes to the first dimension), unlike most ops.
  const axis = axisAttr === rank ? rank : normalizeAxis(node, axisAttr, rank);
  return [sizeOf(inDims.slice(0, axis)), sizeOf(inDims.slice(axis))];
}

/** Axes come from the `axes` attribute before opset 13 and from input 1 from opset 13 on. */
function axesSource(node: Node, opset: number): { fromInput: boolean; attr: number[] | undefined } {
  return opset >= 13 ? { fromInput: true, attr: undefined } : { fromInput: false, attr: attrInts(node, 'axes') };
}

const squeeze: KernelDef = {
  opType: 'Squeeze',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const src = axesSource(node, opset);
    const memo = new DimsMemo<number[]>();
    const viewer = new Viewer();
    const result = new OneResult();
    return {
      run(inputs) {
        const data = required(node, inputs, 0, 'data');
        const axesT = src.fromInput ? inputs[1] : undefined;
        const dims = memo.hit(data.dims, axesT) ?? memo.store(squeezeDims(node, data.dims, axesT ? readIntList(node, axesT, 'axes') : src.attr), data.dims, axesT);
        return result.of(viewer.of(data, dims));
      },
    };
  },
};

const unsqueeze: KernelDef = {
  opType: 'Unsqueeze',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const src = axesSource(node, opset);
    if (!src.fromInput && src.attr === undefined) throw kernelError(node, `attribute 'axes' is required before opset 13`);
    const memo = new DimsMemo<number[]>();
    const viewer = new Viewer();
    const result = new OneResult();
    return {
      run(inputs) {
        const data = required(node, inputs, 0, 'data');
        const axesT = src.fromInput ? required(node, inputs, 1, 'axes') : undefined;
        const dims = memo.hit(data.dims, axesT) ?? memo.store(unsqueezeDims(node, data.dims, axesT ? readIntList(node, axesT, 'axes') : src.attr!), data.dims, axesT);
        return result.of(viewer.of(data, dims));
      },
    };
  },
};

const flatten: KernelDef = {
  opType: 'Flatten',
  sinceVersion: 1,
  create({ node }): Kernel {
    const axisAttr = attrInt(node, 'axis', 1);
    const memo = new DimsMemo<number[]>();
    const viewer = new Viewer();
    const result = new OneResult();
    return {
      run(inputs) {
        const data = required(node, inputs, 0, 'input');
        const dims = memo.hit(data.dims) ?? memo.store(flattenDims(node, data.dims, axisAttr), data.dims);
        return result.of(viewer.of(data, dims));
      },
    };
  },
};

const identity: KernelDef = {
  opType: 'Identity',
  sinceVersion: 1,
  create({ node }): Kernel {
    const result = new OneResult();
    return { run: (inputs) => result.of(required(node, inputs, 0, 'input')) };
  },
};

export const viewKernels: KernelDef[] = [reshape, squeeze, unsqueeze, flatten, identity];
