/** Kernels: Constant, ConstantOfShape. */
import { attrTensor, hasAttr } from '../../ir/attributes.js';
import type { Attribute, Node } from '../../ir/graph.js';
import { isDType, sizeOf, tensor, type Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { DimsMemo, dimsText, kernelError, OneResult, readIntList } from './shape-impl.js';

const VALUE_ATTRS = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'value_string', 'value_strings', 'sparse_value'];

/** The tensor a Constant node stands for (opset 12+ adds the scalar and list spellings). */
export function constantValue(node: Node): Tensor {
  const given = VALUE_ATTRS.filter((name) => hasAttr(node, name));
  if (given.length !== 1) {
    throw kernelError(node, `exactly one of ${VALUE_ATTRS.join(', ')} must be set, got ${given.length === 0 ? 'none' : given.join(', ')}`);
  }
  const name = given[0]!;
  const a = node.attributes[name] as Attribute;
  if (name === 'value' && a.type === 'tensor') {
    if (!isDType(a.value.dtype)) throw kernelError(node, `value has element type ${a.value.dtype}, which the built-in executor does not handle`);
    return a.value;
  }
  if (name === 'value_float' && a.type === 'float') return tensor('float32', [], [a.value]);
  if (name === 'value_floats' && a.type === 'floats') return tensor('float32', [a.value.length], a.value);
  if (name === 'value_int' && a.type === 'int') return tensor('int64', [], [a.value]);
  if (name === 'value_ints' && a.type === 'ints') return tensor('int64', [a.value.length], a.value);
  if (name === 'value_string' || name === 'value_strings' || name === 'sparse_value') {
    throw kernelError(node, `attribute '${name}' (string or sparse constants) is not supported by the built-in executor`);
  }
  throw kernelError(node, `attribute '${name}' has the wrong kind (${a.type})`);
}

const constant: KernelDef = {
  opType: 'Constant',
  sinceVersion: 1,
  create({ node }): Kernel {
    const value = constantValue(node);
    const result = new OneResult();
    return {
      // Copied into a pool buffer so callers may treat every output alike; the plan folds it away anyway.
      run(_inputs, ctx) {
        const out = ctx.output(0, value.dtype, value.dims);
        (out.data as { set(a: ArrayLike<number | bigint>): void }).set(value.data as ArrayLike<number | bigint>);
        return result.of(out);
      },
    };
  },
};

const NO_DIMS: readonly number[] = [];

function outputDims(node: Node, shapeT: Tensor): number[] {
  const d = readIntList(node, shapeT, 'shape');
  if (d.some((x) => x < 0 || !Number.isInteger(x))) throw kernelError(node, `shape ${dimsText(d)} has a negative dimension`);
  return d;
}

const constantOfShape: KernelDef = {
  opType: 'ConstantOfShape',
  sinceVersion: 9,
  create({ node }): Kernel {
    const value = attrTensor(node, 'value') ?? tensor('float32', [1], [0]);
    if (value.data.length !== 1) throw kernelError(node, `attribute 'value' must hold exactly one element, got ${value.data.length}`);
    if (!isDType(value.dtype)) throw kernelError(node, `value has element type ${value.dtype}, which the built-in executor does not handle`);
    const fill = value.data[0]!;
    const memo = new DimsMemo<number[]>();
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const shapeT = inputs[0];
        if (shapeT === undefined) throw kernelError(node, `input 0 (input) is required`);
        const dims = memo.hit(NO_DIMS, shapeT) ?? memo.store(outputDims(node, shapeT), NO_DIMS, shapeT);
        const out = ctx.output(0, value.dtype, dims);
        (out.data as { fill(v: number | bigint, start: number, end: number): void }).fill(fill, 0, sizeOf(dims));
        return result.of(out);
      },
    };
  },
};

export const kernels: KernelDef[] = [constant, constantOfShape];
