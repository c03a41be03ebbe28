/**
 * Checking one step's input against the session plan before anything runs: names, element types, frame
 * lengths, NaN/Infinity. Nothing here writes state, so a rejected input leaves every slot as it was.
 */
import { InputError } from '../errors.js';
import { isBigIntDType, sizeOf, type DType, type Tensor, type TypedArray } from '../tensor.js';
import type { SessionPlan, StepInputPlan } from './bindings.js';
import type { StepInput } from './types.js';

/** The values of one feed as given: a typed array or plain numbers. */
export type FeedValues = TypedArray | readonly number[];

/** One validated step input: where its values are and the per-stream dims it resolves to (context included). */
export interface CheckedFeed {
  plan: StepInputPlan;
  values: FeedValues;
  dims: number[];
}

export interface CheckedStep {
  feeds: CheckedFeed[];
  /** Constant inputs the step overrides, validated. */
  overrides: Map<string, Tensor> | undefined;
  /** Groups steps that can share a stacked run (same resolved shapes, no overrides). */
  signature: string;
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'dims' in v && 'data' in v;
}

function describe(v: unknown): string {
  if (isTensor(v)) return `a ${v.dtype} tensor [${v.dims.join(', ')}]`;
  if (Array.isArray(v)) return `an array of ${v.length} numbers`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as TypedArray).length}`;
  return v === null ? 'null' : typeof v;
}

/** Splits a step input into (name → value) with the value's declared dtype where it has one. */
function byName(input: StepInput, plan: SessionPlan): Map<string, unknown> {
  if (input instanceof Float32Array || Array.isArray(input)) {
    if (plan.stepInputs.length !== 1) {
      throw new InputError(
        `a bare frame needs a model with exactly one per-step input; this one takes ${plan.stepInputs.map((s) => `'${s.name}'`).join(', ') || 'none'}: pass { name: values }`,
      );
    }
    return new Map([[plan.stepInputs[0]!.name, input]]);
  }
  if (typeof input !== 'object' || input === null || ArrayBuffer.isView(input)) {
    throw new InputError(`expected a Float32Array, a number[] or feeds by input name, got ${describe(input)}`);
  }
  return new Map(Object.entries(input));
}

function valuesAndDtype(name: string, v: unknown, want: DType): { values: FeedValues; dims?: readonly number[] } {
  if (isTensor(v)) {
    if (v.dtype !== want) throw new InputError(`input '${name}' must be ${want}, got a ${v.dtype} tensor`);
    return { values: v.data, dims: v.dims };
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number') throw new InputError(`input '${name}' must hold numbers, element ${i} is ${typeof x}`);
      if (want !== 'float32' && want !== 'float64' && Number.isFinite(x) && !Number.isInteger(x)) {
        throw new InputError(`input '${name}' is ${want}, element ${i} is ${x} (not an integer)`);
      }
    }
    return { values: v as number[] };
  }
  if (v instanceof Float32Array) {
    if (want !== 'float32') throw new InputError(`input '${name}' must be ${want}, got a Float32Array`);
    return { values: v };
  }
  if (v instanceof BigInt64Array) {
    if (want !== 'int64') throw new InputError(`input '${name}' must be ${want}, got a BigInt64Array`);
    return { values: v };
  }
  throw new InputError(`input '${name}' must be a ${want} tensor, a typed array or number[], got ${describe(v)}`);
}

function checkFinite(name: string, values: FeedValues, dtype: DType): void {
  if (isBigIntDType(dtype) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isSafeInteger(values[i] as number)) throw new InputError(`input '${name}' is ${dtype}; element ${i} is ${String(values[i])}`);
    }
    return;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return;
  const v = values as ArrayLike<number>;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    // x - x is NaN exactly for NaN and ±Infinity: one comparison per element.
    if (x - x !== 0) throw new InputError(`input '${name}' holds ${x} at element ${i}; expected finite numbers (state untouched)`);
  }
}

/** Resolves the per-stream dims of a step input from the number of values supplied. */
function resolveDims(name: string, plan: StepInputPlan, n: number, given?: readonly number[]): number[] {
  const open = plan.dims.indexOf(null);
  const known = sizeOf(plan.dims.filter((d): d is number => d !== null));
  const expected = known - plan.context;
  if (open < 0) {
    if (n !== expected) {
      const ctx = plan.context ? ` (the session prepends ${plan.context} context values itself)` : '';
      throw new InputError(`input '${name}' expects ${expected} values per step${ctx}, got ${n}`);
    }
    if (given && plan.context === 0 && given.length === plan.dims.length && given.some((d, i) => d !== plan.dims[i])) {
      throw new InputError(`input '${name}' expects shape [${plan.dims.join(', ')}], got [${given.join(', ')}]`);
    }
    return plan.dims as number[];
  }
  if (n === 0 || n % known !== 0) throw new InputError(`input '${name}' expects a multiple of ${known} values (shape [${plan.dims.map((d) => d ?? '?').join(', ')}]), got ${n}`);
  const dims = plan.dims.map((d) => (d === null ? n / known : d));
  if (given && given.length === dims.length && given.some((d, i) => d !== dims[i])) {
    throw new InputError(`input '${name}' expects shape [${plan.dims.map((d) => d ?? '?').join(', ')}], got [${given.join(', ')}]`);
  }
  return dims;
}

/** Validates one step's input. Throws InputError saying what was expected and what came. */
export function checkStep(input: StepInput, plan: SessionPlan): CheckedStep {
  const named = byName(input, plan);
  const stepNames = new Map(plan.stepInputs.map((s) => [s.name, s]));
  const stateNames = new Set(plan.bindings.map((b) => b.input));
  let overrides: Map<string, Tensor> | undefined;
  for (const [name, v] of named) {
    if (stepNames.has(name)) continue;
    if (stateNames.has(name)) throw new InputError(`'${name}' is state carried by the session; set it with slot.setState('${name}', value)`);
    const c = plan.constants.get(name);
    if (!c) {
      const accepted = [...stepNames.keys(), ...plan.constants.keys()];
      throw new InputError(`unknown input '${name}'; this model takes ${accepted.map((a) => `'${a}'`).join(', ') || 'no per-step inputs'}`);
    }
    const { values } = valuesAndDtype(name, v, c.dtype);
    if (values.length !== c.data.length) throw new InputError(`constant '${name}' has ${c.data.length} values, the override has ${values.length}`);
    checkFinite(name, values, c.dtype);
    overrides ??= new Map();
    overrides.set(name, { dtype: c.dtype, dims: c.dims, data: toTyped(values, c.dtype, c.data.length) });
  }
  const feeds: CheckedFeed[] = [];
  let signature = '';
  for (const p of plan.stepInputs) {
    if (!named.has(p.name)) {
      throw new InputError(`missing input '${p.name}' (${p.dtype}); every step needs ${plan.stepInputs.map((s) => `'${s.name}'`).join(', ')}`);
    }
    const { values, dims: given } = valuesAndDtype(p.name, named.get(p.name), p.dtype);
    const dims = resolveDims(p.name, p, values.length, given);
    checkFinite(p.name, values, p.dtype);
    feeds.push({ plan: p, values, dims });
    signature += `${dims.join('x')};`;
  }
  // A step that overrides a constant runs on its own (constants are not stacked).
  if (overrides) signature += `#override${++overrideCounter}`;
  return { feeds, overrides, signature };
}

let overrideCounter = 0;

function toTyped(values: FeedValues, dtype: DType, n: number): Tensor['data'] {
  const out = new (ctorOf(dtype))(n) as TypedArray;
  copyValues(out, 0, values, dtype);
  return out;
}

function ctorOf(dtype: DType) {
  switch (dtype) {
    case 'float32': return Float32Array;
    case 'float64': return Float64Array;
    case 'int8': return Int8Array;
    case 'int16': return Int16Array;
    case 'int32': return Int32Array;
    case 'int64': return BigInt64Array;
    case 'uint8': case 'bool': return Uint8Array;
    case 'uint16': return Uint16Array;
    case 'uint32': return Uint32Array;
    case 'uint64': return BigUint64Array;
  }
}

/** Copies `values` into `out` at `offset`, converting numbers to bigint for int64/uint64. */
export function copyValues(out: TypedArray, offset: number, values: FeedValues, dtype: DType): void {
  if (isBigIntDType(dtype) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    const o = out as BigInt64Array;
    for (let i = 0; i < values.length; i++) o[offset + i] = BigInt(values[i] as number);
    return;
  }
  if (ArrayBuffer.isView(values)) {
    (out as Float32Array).set(values as Float32Array, offset);
    return;
  }
  const o = out as Float32Array;
  for (let i = 0; i < values.length; i++) o[offset + i] = values[i] as number;
}
