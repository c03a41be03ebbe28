/**
 * Tensors as JSON, both ways, for `predict` and `run`:
 * in: `{"name": {"dims": [...], "data": [...], "dtype": "float32"}}` (dtype defaults to the model's declared
 * type, dims to the nesting of `data`), or for a model with one input just the (nested) array;
 * out: `{"name", "dims", "data"}` with int64 as numbers (strings past 2^53, so nothing is rounded).
 */
import { InputError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { isDType, sizeOf, tensor, type DType, type Tensor } from '../tensor.js';

/** Dims of a rectangular nested array, and its values flattened; ragged nesting is an error. */
export function flattenNested(x: unknown, where: string): { dims: number[]; values: unknown[] } {
  const dims: number[] = [];
  let probe: unknown = x;
  while (Array.isArray(probe)) {
    dims.push(probe.length);
    probe = probe[0];
  }
  const values: unknown[] = [];
  const walk = (v: unknown, depth: number, path: string) => {
    if (depth === dims.length) {
      if (Array.isArray(v)) throw new InputError(`${where}: ragged array: ${path} is nested deeper than its siblings`);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) {
      throw new InputError(
        `${where}: ragged array: ${path} has ${Array.isArray(v) ? v.length : 'no'} elements, expected ${dims[depth]}`,
      );
    }
    v.forEach((e, i) => walk(e, depth + 1, `${path}[${i}]`));
  };
  walk(x, 0, 'data');
  return { dims, values };
}

function declaredDtype(v: ValueInfo | undefined): DType | undefined {
  const t = v?.type;
  return t?.kind === 'tensor' && isDType(t.elemType) ? t.elemType : undefined;
}

function toTensor(name: string, spec: unknown, declared: ValueInfo | undefined): Tensor {
  const where = `input '${name}'`;
  let data: unknown = spec;
  let dims: number[] | undefined;
  let dtype: DType | undefined = declaredDtype(declared);
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    const s = spec as Record<string, unknown>;
    const extra = Object.keys(s).filter((k) => !['dims', 'data', 'dtype'].includes(k));
    if (extra.length) throw new InputError(`${where}: unknown field(s) ${extra.join(', ')}; expected dims, data, dtype`);
    if (!('data' in s)) throw new InputError(`${where}: expected a "data" array`);
    data = s.data;
    if (s.dims !== undefined) {
      if (!Array.isArray(s.dims) || s.dims.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
        throw new InputError(`${where}: "dims" must be an array of non-negative integers, got ${JSON.stringify(s.dims)}`);
      }
      dims = s.dims as number[];
    }
    if (s.dtype !== undefined) {
      if (!isDType(s.dtype)) throw new InputError(`${where}: unknown dtype ${JSON.stringify(s.dtype)}`);
      dtype = s.dtype;
    }
  } else if (!Array.isArray(spec) && typeof spec !== 'number' && typeof spec !== 'boolean') {
    throw new InputError(`${where}: expected {"dims", "data", "dtype"} or a (nested) array, got ${spec === null ? 'null' : typeof spec}`);
  }
  const flat = flattenNested(data, where);
  const shape = dims ?? flat.dims;
  if (sizeOf(shape) !== flat.values.length) {
    throw new InputError(`${where}: dims [${shape.join(', ')}] hold ${sizeOf(shape)} values, data has ${flat.values.length}`);
  }
  dtype ??= 'float32';
  const values = flat.values.map((v, i) => {
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'string' && (dtype === 'int64' || dtype === 'uint64') && /^-?\d+$/.test(v)) return BigInt(v);
    throw new InputError(`${where}: element ${i} is ${JSON.stringify(v)}, expected a number`);
  });
  if (dtype === 'int64' || dtype === 'uint64' || dtype.startsWith('int') || dtype.startsWith('uint')) {
    const bad = values.findIndex((v) => typeof v === 'number' && !Number.isInteger(v));
    if (bad >= 0) throw new InputError(`${where}: element ${bad} is ${String(values[bad])}, expected an integer for ${dtype}`);
  }
  return tensor(dtype, shape, values);
}

/**
 * Parses predict's input JSON into feeds for `inputs` (the model's fed inputs).
 *
 * @example
 * ```ts
 * parseFeeds({ x: { dims: [1, 2], data: [1, 2] } }, model.graph.inputs);
 * ```
 */
export function parseFeeds(json: unknown, inputs: readonly ValueInfo[]): Record<string, Tensor> {
  const names = inputs.map((v) => v.name);
  if (Array.isArray(json) || typeof json === 'number') {
    if (inputs.length !== 1) {
      throw new InputError(`a bare array is for a model with one input; this one takes ${names.join(', ')}: give {"name": {...}}`);
    }
    return { [names[0]!]: toTensor(names[0]!, json, inputs[0]) };
  }
  if (typeof json !== 'object' || json === null) throw new InputError('expected a JSON object of inputs by name, or an array');
  const feeds: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(json)) {
    const info = inputs.find((v) => v.name === name);
    if (!info) throw new InputError(`the model has no input '${name}'; its inputs are ${names.join(', ')}`);
    feeds[name] = toTensor(name, spec, info);
  }
  const missing = names.filter((n) => !(n in feeds));
  if (missing.length) throw new InputError(`missing input(s) ${missing.join(', ')}; the model takes ${names.join(', ')}`);
  return feeds;
}

/** A tensor's values as JSON-safe numbers (int64 beyond 2^53 as strings, NaN/±Infinity as strings). */
export function tensorValues(t: Tensor): (number | string | boolean)[] {
  const out: (number | string | boolean)[] = new Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (typeof v === 'bigint') out[i] = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    else if (t.dtype === 'bool') out[i] = v !== 0;
    else out[i] = Number.isFinite(v) ? v : String(v);
  }
  return out;
}

/** `{"name", "dims", "data"}` for output. */
export function tensorJson(name: string, t: Tensor): { name: string; dtype: DType; dims: number[]; data: (number | string | boolean)[] } {
  return { name, dtype: t.dtype, dims: [...t.dims], data: tensorValues(t) };
}
