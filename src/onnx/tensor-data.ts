/**
 * TensorProto → {@link Tensor}: element type, dims, and the data from whichever field holds it (`raw_data`,
 * a typed field, or an external file), with every size checked against the dims before anything is
 * allocated, so a forged dimension cannot make the reader allocate gigabytes.
 */
import { ModelLoadError } from '../errors.js';
import { allocData, BYTES_PER_ELEMENT, shapeToString, type DType, type Tensor, type TypedArray } from '../tensor.js';
import { describeDataTypeNumber, elementTypeOf, isTensorDType } from './element-types.js';
import { DATA_LOCATION_EXTERNAL, int64ToBigInt, type Int64, type TensorMsg } from './proto.js';

/** Default {@link TensorLimits.maxTensorBytes}: 2 GiB, the protobuf message limit ONNX files live under. */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 31;

export interface TensorLimits {
  /** Largest tensor (in bytes of its element data) the reader will materialise. */
  maxTensorBytes: number;
  /** Supplies the bytes of an external data file named by a tensor's `location`. */
  externalData?: ((location: string) => Uint8Array) | undefined;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function has(msg: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

/**
 * Decodes a TensorProto. `what` names the tensor in messages (e.g. `initializer 'W'`).
 * Throws {@link ModelLoadError} saying what was expected and what came.
 */
export function tensorFromMsg(msg: TensorMsg, what: string, limits: TensorLimits): Tensor {
  const typeNumber = msg.dataType ?? 0;
  const elemType = elementTypeOf(typeNumber);
  if (elemType === undefined) {
    throw new ModelLoadError(`${what}: unknown element type ${describeDataTypeNumber(typeNumber)}; expected a TensorProto.DataType from 1 to 23`);
  }
  if (!isTensorDType(elemType)) {
    throw new ModelLoadError(
      `${what}: element type ${elemType} is not supported for tensor data; rxrnn holds float32, float64, ` +
        `int8/16/32/64, uint8/16/32/64 and bool (run this model on the 'ort-node' or 'ort-web' backend)`,
    );
  }
  const dims = dimsOf(msg.dims ?? [], what);
  const count = checkedElementCount(dims, elemType, what, limits.maxTensorBytes);
  if (msg.segment && has(msg, 'segment')) {
    throw new ModelLoadError(`${what}: segmented tensors (TensorProto.segment) are not supported`);
  }
  let data: TypedArray;
  if (msg.dataLocation === DATA_LOCATION_EXTERNAL) {
    data = fromLittleEndian(externalBytes(msg, what, count * BYTES_PER_ELEMENT[elemType], limits), elemType, count, what, 'external data');
  } else if (has(msg, 'rawData') && (msg.rawData!.length > 0 || count === 0)) {
    // An empty raw_data next to a filled typed field is a writer's artefact, not the data: use the typed field.
    data = fromLittleEndian(msg.rawData!, elemType, count, what, 'raw_data');
  } else {
    data = fromTypedField(msg, elemType, count, what);
  }
  return { dtype: elemType, dims, data };
}

export function dimsOf(raw: readonly Int64[], what: string): number[] {
  const dims: number[] = [];
  for (const r of raw) {
    const d = int64ToBigInt(r);
    if (d === undefined || d > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ModelLoadError(`${what}: dimension ${String(d ?? r)} is too large`);
    }
    if (d < 0n) throw new ModelLoadError(`${what}: dims must be non-negative, got [${raw.map((x) => String(int64ToBigInt(x))).join(', ')}]`);
    dims.push(Number(d));
  }
  return dims;
}

/** Element count of `dims`, refusing (before any allocation) a tensor larger than `maxBytes`. */
export function checkedElementCount(dims: readonly number[], dtype: DType, what: string, maxBytes: number): number {
  // Multiply in bigint: a product of forged dims must not round to something that looks small.
  let n = 1n;
  for (const d of dims) n *= BigInt(d);
  const bytes = n * BigInt(BYTES_PER_ELEMENT[dtype]);
  if (bytes > BigInt(Math.floor(maxBytes))) {
    throw new ModelLoadError(
      `${what}: shape ${shapeToString(dims)} of ${dtype} needs ${bytes} bytes, more than the limit of ${maxBytes} ` +
        `bytes (raise it with the maxTensorBytes option)`,
    );
  }
  return Number(n);
}

function fromLittleEndian(raw: Uint8Array, dtype: DType, count: number, what: string, source: string): TypedArray {
  const expected = count * BYTES_PER_ELEMENT[dtype];
  if (raw.length !== expected) {
    throw new ModelLoadError(
      `${what}: ${source} holds ${raw.length} bytes, expected ${expected} (${count} × ${dtype})`,
    );
  }
  const out = allocData(dtype, count);
  if (dtype === 'bool') {
    for (let i = 0; i < count; i++) (out as Uint8Array)[i] = raw[i] ? 1 : 0;
    return out;
  }
  if (LITTLE_ENDIAN_HOST) {
    // A byte copy also handles `raw` starting at an offset that is not a multiple of the element size.
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
    return out;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < count; i++) {
    const at = i * BYTES_PER_ELEMENT[dtype];
    switch (dtype) {
      case 'float32': (out as Float32Array)[i] = view.getFloat32(at, true); break;
      case 'float64': (out as Float64Array)[i] = view.getFloat64(at, true); break;
      case 'int8': (out as Int8Array)[i] = view.getInt8(at); break;
      case 'uint8': (out as Uint8Array)[i] = view.getUint8(at); break;
      case 'int16': (out as Int16Array)[i] = view.getInt16(at, true); break;
      case 'uint16': (out as Uint16Array)[i] = view.getUint16(at, true); break;
      case 'int32': (out as Int32Array)[i] = view.getInt32(at, true); break;
      case 'uint32': (out as Uint32Array)[i] = view.getUint32(at, true); break;
      case 'int64': (out as BigInt64Array)[i] = view.getBigInt64(at, true); break;
      case 'uint64': (out as BigUint64Array)[i] = view.getBigUint64(at, true); break;
    }
  }
  return out;
}

/** Which typed field carries each element type (onnx.proto's comments on TensorProto). */
const TYPED_FIELD: Readonly<Record<Exclude<DType, never>, 'floatData' | 'doubleData' | 'int32Data' | 'int64Data' | 'uint64Data'>> = {
  float32: 'floatData',
  float64: 'doubleData',
  int8: 'int32Data',
  int16: 'int32Data',
  int32: 'int32Data',
  uint8: 'int32Data',
  uint16: 'int32Data',
  bool: 'int32Data',
  int64: 'int64Data',
  uint32: 'uint64Data',
  uint64: 'uint64Data',
};

const FIELD_NAMES = { floatData: 'float_data', doubleData: 'double_data', int32Data: 'int32_data', int64Data: 'int64_data', uint64Data: 'uint64_data' } as const;

function fromTypedField(msg: TensorMsg, dtype: DType, count: number, what: string): TypedArray {
  const field = TYPED_FIELD[dtype];
  const values = (msg[field] ?? []) as readonly (number | Int64)[];
  if (values.length !== count) {
    const others = (Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[])
      .filter((f) => f !== field && (msg[f]?.length ?? 0) > 0)
      .map((f) => `${FIELD_NAMES[f]} has ${msg[f]!.length}`);
    throw new ModelLoadError(
      `${what}: ${dtype} tensor of shape ${shapeToString(msgDims(msg))} needs ${count} values in ` +
        `${FIELD_NAMES[field]} (or raw_data), got ${values.length}${others.length ? ` (${others.join(', ')})` : ''}`,
    );
  }
  const out = allocData(dtype, count);
  if (dtype === 'int64' || dtype === 'uint64' || dtype === 'uint32') {
    const unsigned = dtype !== 'int64';
    for (let i = 0; i < count; i++) {
      const v = int64ToBigInt(values[i] as Int64, unsigned);
      if (v === undefined) throw new ModelLoadError(`${what}: element ${i} lost precision while decoding (protobufjs without long.js)`);
      if (dtype === 'uint32') (out as Uint32Array)[i] = Number(BigInt.asUintN(32, v));
      else (out as BigInt64Array | BigUint64Array)[i] = dtype === 'int64' ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
    }
    return out;
  }
  if (dtype === 'bool') {
    for (let i = 0; i < count; i++) (out as Uint8Array)[i] = values[i] ? 1 : 0;
    return out;
  }
  // Typed-array assignment converts exactly like ONNX's casts: int32_data holds uint16 as its value, int8 sign-extended.
  (out as Float32Array).set(values as number[]);
  return out;
}

function msgDims(msg: TensorMsg): string[] {
  return (msg.dims ?? []).map((d) => String(int64ToBigInt(d)));
}

function externalBytes(msg: TensorMsg, what: string, expected: number, limits: TensorLimits): Uint8Array {
  const entries = new Map((msg.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new ModelLoadError(`${what}: data_location is EXTERNAL but external_data has no 'location'`);
  if (!limits.externalData) {
    throw new ModelLoadError(
      `${what}: data is in the external file '${location}'; read the model with readModelFile(path) or pass ` +
        `options.externalData to readModel`,
    );
  }
  const offset = decimal(entries.get('offset') ?? '0', 'offset', what);
  const length = entries.has('length') ? decimal(entries.get('length')!, 'length', what) : undefined;
  if (length !== undefined && length !== expected) {
    throw new ModelLoadError(`${what}: external_data length is ${length} bytes, expected ${expected} for its dims and type`);
  }
  let file: Uint8Array;
  try {
    file = limits.externalData(location);
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    throw new ModelLoadError(`${what}: could not read external data '${location}': ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  const end = offset + (length ?? expected);
  if (end > file.length) {
    throw new ModelLoadError(
      `${what}: external file '${location}' has ${file.length} bytes, expected at least ${end} (offset ${offset} + ${length ?? expected})`,
    );
  }
  return file.subarray(offset, end);
}

function decimal(text: string, key: string, what: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new ModelLoadError(`${what}: external_data '${key}' must be a decimal byte count, got '${text}'`);
  return Number(text);
}
