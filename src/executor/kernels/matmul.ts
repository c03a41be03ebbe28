/** Kernels: Gemm, MatMul. The product itself is in matmul-impl.ts. */
import { KernelError } from '../../errors.js';
import { attrFloat, attrInt } from '../../ir/attributes.js';
import { describeNode } from '../../ir/graph.js';
import { allocData, shapeToString, type DType, type Tensor, type TypedArray } from '../../tensor.js';
import { Broadcaster } from '../broadcast.js';
import { DimsBuffer } from '../dims-buffer.js';
import type { KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { DenseGemm, denseGemmWorthIt, type RowsOf } from './dense-gemm.js';
import { dotKind, product, transposeInto, type DotKind, type Strided } from './matmul-impl.js';

function kindOf(dtype: DType, what: string, op: string): DotKind {
  const kind = dotKind(dtype);
  if (kind === undefined) throw new KernelError(`${what}: ${op} takes float32/float64/int32/int64/uint32/uint64, got ${dtype}`);
  return kind;
}

/** B packed as Bt (per batch matrix N×K) once, for a constant B of rank ≥ 2. */
function packB(b: Tensor): TypedArray {
  const r = b.dims.length;
  const k = b.dims[r - 2]!;
  const n = b.dims[r - 1]!;
  const packed = allocData(b.dtype, b.data.length);
  for (let off = 0; off < b.data.length; off += k * n) transposeInto(b.data, off, k, n, packed, off);
  return packed;
}

/** numpy.matmul: batched with broadcasting over leading dims; a 1-D operand gains and then loses a unit dim. */
const matMul: KernelDef = {
  opType: 'MatMul',
  sinceVersion: 1,
  freshOutputs: true,
  create(init) {
    requireInputs(init, 2);
    const what = describeNode(init.node);
    const constB = init.constants[1];
    // A constant 2-D float32 B large enough: every row of A (all batch dims) goes through the SIMD product,
    // and the JavaScript product's packed copy of B is not needed.
    const dense =
      constB !== undefined && constB.dtype === 'float32' && constB.dims.length === 2 && denseGemmWorthIt(constB.dims[0]!, constB.dims[1]!)
        ? new DenseGemm(constB.data as Float32Array, constB.dims[0]!, constB.dims[1]!, false)
        : undefined;
    const packed = dense === undefined && constB !== undefined && constB.dims.length >= 2 ? packB(constB) : undefined;
    const denseA: RowsOf = { data: new Float32Array(0), off: 0, rs: 0, ks: 1 };
    const bc = new Broadcaster(2);
    const batchA = new DimsBuffer();
    const batchB = new DimsBuffer();
    // The broadcaster reads only `dims`, so the batch shapes stand in for tensors.
    const pair = [batchA, batchB] as unknown as Tensor[];
    const outDims = new DimsBuffer();
    const A: Strided = { data: new Float32Array(0), off: 0, rs: 0, ks: 1 };
    const Bt: Strided = { data: new Float32Array(0), off: 0, rs: 0, ks: 1 };
    const result: (Tensor | undefined)[] = [undefined];
    return {
      run(inputs, ctx) {
        const a = inputs[0]!;
        const b = inputs[1]!;
        if (a.dtype !== b.dtype) throw new KernelError(`${what}: A and B must share a dtype, got ${a.dtype} and ${b.dtype}`);
        const kind = kindOf(a.dtype, what, 'MatMul');
        const ra = a.dims.length;
        const rb = b.dims.length;
        if (ra === 0 || rb === 0) throw new KernelError(`${what}: MatMul operands must have rank ≥ 1, got ${shapeToString(a.dims)} and ${shapeToString(b.dims)}`);
        const m = ra === 1 ? 1 : a.dims[ra - 2]!;
        const k = a.dims[ra - 1]!;
        const kb = rb === 1 ? b.dims[0]! : b.dims[rb - 2]!;
        const n = rb === 1 ? 1 : b.dims[rb - 1]!;
        if (k !== kb) {
          throw new KernelError(`${what}: inner dimensions differ: A ${shapeToString(a.dims)} has K=${k}, B ${shapeToString(b.dims)} has K=${kb}`);
        }
        batchA.reset();
        for (let i = 0; i < ra - 2; i++) batchA.push(a.dims[i]!);
        batchA.finish();
        batchB.reset();
        for (let i = 0; i < rb - 2; i++) batchB.push(b.dims[i]!);
        batchB.finish();
        bc.plan(pair, ctx, what);
        outDims.reset();
        for (let i = 0; i < bc.dims.length; i++) outDims.push(bc.dims[i]!);
        if (ra > 1) outDims.push(m);
        if (rb > 1) outDims.push(n);
        const out = ctx.output(0, a.dtype, outDims.finish());
        if (dense !== undefined && b === constB && a.dtype === 'float32') {
          denseA.data = a.data as Float32Array;
          denseA.rs = k;
          dense.run(denseA, out.data.length / n, undefined, 1, out.data as Float32Array, 0);
          result[0] = out;
          return result;
        }
        A.data = a.data;
        A.rs = k;
        A.ks = 1;
        const usePacked = packed !== undefined && b === constB;
        Bt.data = usePacked ? packed : b.data;
        if (rb === 1 || usePacked) {
          Bt.rs = k;
          Bt.ks = 1;
        } else {
          Bt.rs = 1;
          Bt.ks = n;
        }
        // Row accumulator for a runtime B read in place (scratch slots 0 and 1 belong to the broadcaster).
        const acc = kind === 'float' && Bt.ks !== 1 ? ctx.scratch(2, 'float64', n) : undefined;
        const len = bc.rowLen;
        for (let r = 0, idx = 0; r < bc.rows; r++) {
          let ia = bc.offsets[0]![r]!;
          let ib = bc.offsets[1]![r]!;
          for (let t = 0; t < len; t++, idx++, ia += bc.steps[0]!, ib += bc.steps[1]!) {
            A.off = ia * m * k;
            Bt.off = ib * k * n;
            product(kind, m, n, k, A, Bt, out.data, idx * m * n, 1, 0, undefined, acc);
          }
        }
        result[0] = out;
        return result;
      },
    };
  },
};

/** Gemm: `alpha·A'·B' + beta·C` with C broadcast to [M, N] (optional from opset 11). */
const gemm: KernelDef = {
  opType: 'Gemm',
  sinceVersion: 7,
  freshOutputs: true,
  create(init) {
    // C is required before opset 11
    requireInputs(init, init.opset < 11 ? 3 : 2, 3);
    const what = describeNode(init.node);
    const alpha = attrFloat(init.node, 'alpha', 1);
    const beta = attrFloat(init.node, 'beta', 1);
    const transA = attrInt(init.node, 'transA', 0) !== 0;
    const transB = attrInt(init.node, 'transB', 0) !== 0;
    const constB = init.constants[1];
    // Bt is B itself when transB; otherwise a constant B is packed once here.
    const packed = constB !== undefined && !transB && constB.dims.length === 2 ? packB(constB) : undefined;
    // The SIMD product for a constant float32 B when alpha is 1 and C is one row broadcast over A's rows
    // (a dense layer's bias): alpha would otherwise have to scale the packed B, rounding it differently.
    const kB = constB?.dims.length === 2 ? constB.dims[transB ? 1 : 0]! : 0;
    const nB = constB?.dims.length === 2 ? constB.dims[transB ? 0 : 1]! : 0;
    const dense =
      constB !== undefined && constB.dtype === 'float32' && alpha === 1 && kB > 0 && denseGemmWorthIt(kB, nB)
        ? new DenseGemm(constB.data as Float32Array, kB, nB, transB)
        : undefined;
    const denseA: RowsOf = { data: new Float32Array(0), off: 0, rs: 0, ks: 1 };
    const A: Strided = { data: new Float32Array(0), off: 0, rs: 0, ks: 1 };
    const Bt: Strided = { data: new Float32Array(0), off: 0, rs: 0, ks: 1 };
    const C: Strided = { data: new Float32Array(0), off: 0, rs: 0, ks: 0 };
    const dims = [0, 0];
    const result: (Tensor | undefined)[] = [undefined];
    return {
      run(inputs, ctx) {
        const a = inputs[0]!;
        const b = inputs[1]!;
        const c = inputs[2];
        if (a.dims.length !== 2 || b.dims.length !== 2) {
          throw new KernelError(`${what}: A and B must be 2-D, got ${shapeToString(a.dims)} and ${shapeToString(b.dims)}`);
        }
        if (a.dtype !== b.dtype || (c !== undefined && c.dtype !== a.dtype)) {
          throw new KernelError(`${what}: A, B and C must share a dtype, got ${a.dtype}, ${b.dtype}${c ? ', ' + c.dtype : ''}`);
        }
        const kind = kindOf(a.dtype, what, 'Gemm');
        if (kind === 'bigint' && (!Number.isInteger(alpha) || !Number.isInteger(beta))) {
          throw new KernelError(`${what}: integer Gemm needs integer alpha and beta, got ${alpha} and ${beta}`);
        }
        const m = transA ? a.dims[1]! : a.dims[0]!;
        const k = transA ? a.dims[0]! : a.dims[1]!;
        const kb = transB ? b.dims[1]! : b.dims[0]!;
        const n = transB ? b.dims[0]! : b.dims[1]!;
        if (k !== kb) {
          throw new KernelError(
            `${what}: inner dimensions differ: A' is ${m}×${k}, B' is ${kb}×${n} (transA=${+transA}, transB=${+transB})`,
          );
        }
        A.data = a.data;
        A.off = 0;
        A.rs = transA ? 1 : k;
        A.ks = transA ? m : 1;
        const usePacked = packed !== undefined && b === constB;
        Bt.data = usePacked ? packed : b.data;
        Bt.rs = transB || usePacked ? k : 1;
        Bt.ks = transB || usePacked ? 1 : n;
        if (c !== undefined) {
          const r = c.dims.length;
          const c0 = r >= 2 ? c.dims[r - 2]! : 1;
          const c1 = r >= 1 ? c.dims[r - 1]! : 1;
          if (r > 2 || (c0 !== 1 && c0 !== m) || (c1 !== 1 && c1 !== n)) {
            throw new KernelError(`${what}: C ${shapeToString(c.dims)} cannot be broadcast to [${m}, ${n}]`);
          }
          C.data = c.data;
          C.rs = c0 === 1 ? 0 : c1;
          C.ks = c1 === 1 ? 0 : 1;
        }
        dims[0] = m;
        dims[1] = n;
        const out = ctx.output(0, a.dtype, dims);
        if (dense !== undefined && b === constB && a.dtype === 'float32' && (c === undefined || C.rs === 0)) {
          denseA.data = a.data as Float32Array;
          denseA.rs = A.rs;
          denseA.ks = A.ks;
          dense.run(denseA, m, c?.data as Float32Array | undefined, beta, out.data as Float32Array, 0);
          result[0] = out;
          return result;
        }
        const acc = kind === 'float' && Bt.ks !== 1 ? ctx.scratch(0, 'float64', n) : undefined;
        product(kind, m, n, k, A, Bt, out.data, 0, alpha, c === undefined ? 0 : beta, c === undefined ? undefined : C, acc);
        result[0] = out;
        return result;
      },
    };
  },
};

export const kernels: KernelDef[] = [matMul, gemm];
