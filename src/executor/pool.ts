/**
 * The plan's buffer pool. Every node output and every scratch area the plan will ever ask for has a fixed
 * slot number; a slot keeps its buffer from run to run, so once shapes repeat a run allocates nothing.
 *
 * A slot grows when a larger size is asked for and serves smaller sizes from a `subarray` of the buffer it
 * already has, so a sequence that gets shorter does not reallocate. Every buffer allocation is counted in
 * {@link BufferPool.allocations}; tests prove "no allocation in steady state" through that counter.
 */
import { KernelError } from '../errors.js';
import { allocData, BYTES_PER_ELEMENT, sameDims, sizeOf, type DataTypeMap, type DType, type Tensor, type TypedArray } from '../tensor.js';

/** Counters a caller can read to see what the pool holds. */
export interface PoolStats {
  /** Buffer allocations made since the pool was created (never decreases). */
  readonly allocations: number;
  /** Bytes held by the pool's buffers right now. */
  readonly bytes: number;
}

/** The default ceiling on one buffer, matching the reader's default tensor limit (2 GiB). */
export const DEFAULT_MAX_TENSOR_BYTES = 2 * 1024 ** 3;

class Slot {
  /** The full-capacity buffer; `view` is it or a prefix of it. */
  buffer: TypedArray | null = null;
  dtype: DType | null = null;
  view: TypedArray | null = null;
  /** The tensor last handed out from this slot, reused while dtype and dims repeat. */
  tensor: Tensor | null = null;
}


export class BufferPool implements PoolStats {
  allocations = 0;
  bytes = 0;
  private readonly slots: Slot[] = [];

  constructor(readonly maxTensorBytes = DEFAULT_MAX_TENSOR_BYTES) {}

  /** Reserves a new slot and returns its number. Slots are handed out at plan time only. */
  reserve(): number {
    this.slots.push(new Slot());
    return this.slots.length - 1;
  }

  /**
   * A tensor of `dtype`/`dims` backed by slot `slot`'s buffer. Returns the very same tensor object as last
   * time when dtype and dims are unchanged, so steady-state runs create no objects either.
   */
  tensor<D extends DType>(slot: number, dtype: D, dims: readonly number[], what: string): Tensor<D> {
    const s = this.slots[slot]!;
    const last = s.tensor;
    if (last !== null && last.dtype === dtype && sameDims(last.dims, dims)) return last as Tensor<D>;
    for (let i = 0; i < dims.length; i++) {
      const d = dims[i]!;
      if (!Number.isInteger(d) || d < 0) {
        throw new KernelError(`${what}: output dims must be non-negative integers, got [${dims.join(', ')}]`);
      }
    }
    const data = this.data(s, dtype, sizeOf(dims), what);
    const t: Tensor<D> = { dtype, dims: dims.slice(), data };
    s.tensor = t;
    return t;
  }

  /** A typed array of exactly `length` elements backed by slot `slot`. */
  array<D extends DType>(slot: number, dtype: D, length: number, what: string): DataTypeMap[D] {
    const s = this.slots[slot]!;
    if (s.view !== null && s.dtype === dtype && s.view.length === length) return s.view as DataTypeMap[D];
    if (!Number.isInteger(length) || length < 0) {
      throw new KernelError(`${what}: scratch length must be a non-negative integer, got ${length}`);
    }
    s.tensor = null;
    return this.data(s, dtype, length, what);
  }

  private data<D extends DType>(s: Slot, dtype: D, length: number, what: string): DataTypeMap[D] {
    if (s.buffer !== null && s.dtype === dtype && s.buffer.length >= length) {
      s.view = length === s.buffer.length ? s.buffer : s.buffer.subarray(0, length);
      return s.view as DataTypeMap[D];
    }
    const bytes = length * BYTES_PER_ELEMENT[dtype];
    if (bytes > this.maxTensorBytes) {
      throw new KernelError(
        `${what}: a ${dtype} buffer of ${length} elements (${bytes} bytes) exceeds the limit of ${this.maxTensorBytes} bytes`,
      );
    }
    const old = s.buffer === null ? 0 : s.buffer.byteLength;
    const buffer = allocData(dtype, length);
    this.allocations++;
    this.bytes += buffer.byteLength - old;
    s.buffer = buffer;
    s.dtype = dtype;
    s.view = buffer;
    return buffer;
  }

  /** Drops every buffer; the slots stay reserved and refill on the next run. */
  clear(): void {
    for (const s of this.slots) {
      s.buffer = null;
      s.view = null;
      s.tensor = null;
      s.dtype = null;
    }
    this.bytes = 0;
  }
}
