/** Kernels: Cast, CastLike. Conversion rules are in cast-impl.ts. */
import { attrInt } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { DTYPES, type DType, type Tensor } from '../../tensor.js';
import { describeDataTypeNumber, dtypeOfDataTypeNumber, elementTypeOf } from '../../onnx/element-types.js';
import type { Kernel, KernelDef, RunContext } from '../kernel.js';
import { castInto } from './cast-impl.js';
import { kernelError, OneResult } from './shape-impl.js';

const SUPPORTED: ReadonlySet<DType> = new Set(DTYPES);

function checkSource(node: Node, t: Tensor | undefined): Tensor {
  if (t === undefined) throw kernelError(node, `input 0 (input) is required`);
  if (!SUPPORTED.has(t.dtype)) throw kernelError(node, `cannot cast from ${t.dtype}`);
  return t;
}

/** Same type: the input itself is the answer (the kernel contract allows returning an input unchanged). */
function castTensor(input: Tensor, to: DType, ctx: RunContext): Tensor {
  if (input.dtype === to) return input;
  const out = ctx.output(0, to, input.dims);
  castInto(input, to, out.data);
  return out;
}

/** Cast-1..5 named the target type as a string (`'FLOAT'`); Cast-6 on uses the TensorProto.DataType code. */
const LEGACY_NAMES: Readonly<Record<string, number>> = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
};

function targetCode(node: Node, opset: number): number {
  const a = node.attributes.to;
  if (a?.type === 'int') return attrInt(node, 'to')!;
  if (a?.type === 'string' && opset < 6) {
    const code = LEGACY_NAMES[a.value.toUpperCase()];
    if (code !== undefined) return code;
  }
  throw kernelError(node, `attribute 'to' must be an ONNX element type code${opset < 6 ? ' or type name' : ''}, got ${a === undefined ? 'nothing' : `${a.type} ${String(a.value)}`}`);
}

const cast: KernelDef = {
  opType: 'Cast',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const code = targetCode(node, opset);
    const to = dtypeOfDataTypeNumber(code);
    if (to === undefined) {
      throw kernelError(node, `cannot cast to ${elementTypeOf(code) ?? `element type ${describeDataTypeNumber(code)}`}; the built-in executor handles ${[...SUPPORTED].join(', ')} (use an onnxruntime backend for others)`);
    }
    const result = new OneResult();
    return { run: (inputs, ctx) => result.of(castTensor(checkSource(node, inputs[0]), to, ctx)) };
  },
};

const castLike: KernelDef = {
  opType: 'CastLike',
  sinceVersion: 15,
  create({ node }): Kernel {
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const input = checkSource(node, inputs[0]);
        const target = inputs[1];
        if (target === undefined) throw kernelError(node, `input 1 (target_type) is required`);
        if (!SUPPORTED.has(target.dtype)) throw kernelError(node, `cannot cast to ${target.dtype}`);
        return result.of(castTensor(input, target.dtype, ctx));
      },
    };
  },
};

export const kernels: KernelDef[] = [cast, castLike];
