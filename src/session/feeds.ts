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
  readonly plan: StepInputPlan;
  values: FeedValues;
  dims: readonly number[];
}

export interface CheckedStep {
  feeds: CheckedFeed[];
  /** Constant inputs the step overrides, validated. */
  overrides: Map<string, Tensor> | undefined;
  /** Groups steps that can share a stacked run (same resolved shapes, no overrides); '' for fixed shapes. */
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

/** Module-level holder so the common cases return without allocating. */
const held: { values: FeedValues; dims?: readonly number[] } = { values: new Float32Array(0) };

function valuesAndDtype(name: string, v: unknown, want: DType): { values: FeedValues; dims?: readonly number[] } {
  held.dims = undefined;
  if (isTensor(v)) {
    if (v.dtype !== want) throw new InputError(`input '${name}' must be ${want}, got a ${v.dtype} tensor`);
    held.values = v.data;
    held.dims = v.dims;
    return held;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number') throw new InputError(`input '${name}' must hold numbers, element ${i} is ${typeof x}`);
      if (want !== 'float32' && want !== 'float64' && Number.isFinite(x) && !Number.isInteger(x)) {
        throw new InputError(`input '${name}' is ${want}, element ${i} is ${x} (not an integer)`);
      }
    }
    held.values = v as number[];
    return held;
  }
  if (v instanceof Float32Array) {
    if (want !== 'float32') throw new InputError(`input '${name}' must be ${want}, got a Float32Array`);
    held.values = v;
    return held;
  }
  if (v instanceof BigInt64Array) {
    if (want !== 'int64') throw new InputError(`input '${name}' must be ${want}, got a BigInt64Array`);
    held.values = v;
    return held;
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
    // The plan's own array: no allocation, and `dims === plan.dims` marks a fixed shape.
    return plan.dims as number[];
  }
  if (n === 0 || n % known !== 0) throw new InputError(`input '${name}' expects a multiple of ${known} values (shape [${plan.dims.map((d) => d ?? '?').join(', ')}]), got ${n}`);
  const dims = plan.dims.map((d) => (d === null ? n / known : d));
  if (given && given.length === dims.length && given.some((d, i) => d !== dims[i])) {
    throw new InputError(`input '${name}' expects shape [${plan.dims.map((d) => d ?? '?').join(', ')}], got [${given.join(', ')}]`);
  }
  return dims;
}

/**
 * Validates step inputs against one session's plan. Built once per session so a step does no lookups
 * that allocate; `check` fills a caller-owned {@link CheckedStep} (one per slot) instead of returning a
 * new one. Fixed-shape inputs resolve to the plan's own dims array and an empty signature.
 */
export class FeedChecker {
  private readonly stepNames: ReadonlyMap<string, number>;
  private readonly stateNames: ReadonlySet<string>;
  private readonly namesText: string;

  constructor(private readonly plan: SessionPlan) {
    this.stepNames = new Map(plan.stepInputs.map((s, i) => [s.name, i]));
    this.stateNames = new Set(plan.bindings.map((b) => b.input));
    this.namesText = plan.stepInputs.map((s) => `'${s.name}'`).join(', ');
  }

  /** A reusable result holder for this plan. */
  scratch(): CheckedStep {
    return { feeds: this.plan.stepInputs.map((p) => ({ plan: p, values: EMPTY, dims: [] })), overrides: undefined, signature: '' };
  }

  /** Validates `input` into `into`. Throws InputError saying what was expected and what came. */
  check(input: StepInput, into: CheckedStep): CheckedStep {
    const plan = this.plan;
    into.overrides = undefined;
    into.signature = '';
    for (const f of into.feeds) f.values = EMPTY;
    if (input instanceof Float32Array || Array.isArray(input)) {
      if (plan.stepInputs.length !== 1) {
        throw new InputError(`a bare frame needs a model with exactly one per-step input; this one takes ${this.namesText || 'none'}: pass { name: values }`);
      }
      this.fill(into, 0, input);
    } else {
      if (typeof input !== 'object' || input === null || ArrayBuffer.isView(input)) {
        throw new InputError(`expected a Float32Array, a number[] or feeds by input name, got ${describe(input)}`);
      }
      const named = input as Readonly<Record<string, unknown>>;
      for (const name in named) {
        const i = this.stepNames.get(name);
        if (i !== undefined) {
          this.fill(into, i, named[name]);
          continue;
        }
        if (this.stateNames.has(name)) throw new InputError(`'${name}' is state carried by the session; set it with slot.setState('${name}', value)`);
        const c = plan.constants.get(name);
        if (!c) {
          const accepted = [...this.stepNames.keys(), ...plan.constants.keys()];
          throw new InputError(`unknown input '${name}'; this model takes ${accepted.map((a) => `'${a}'`).join(', ') || 'no per-step inputs'}`);
        }
        const { values } = valuesAndDtype(name, named[name], c.dtype);
        if (values.length !== c.data.length) throw new InputError(`constant '${name}' has ${c.data.length} values, the override has ${values.length}`);
        checkFinite(name, values, c.dtype);
        into.overrides ??= new Map();
        into.overrides.set(name, { dtype: c.dtype, dims: c.dims, data: toTyped(values, c.dtype, c.data.length) });
      }
      for (const f of into.feeds) {
        if (f.values === EMPTY) throw new InputError(`missing input '${f.plan.name}' (${f.plan.dtype}); every step needs ${this.namesText}`);
      }
    }
    // Open dims make the shape part of the signature; a step that overrides a constant runs on its own
    // (constants are not stacked).
    for (const f of into.feeds) if (f.dims !== f.plan.dims) into.signature += `${f.dims.join('x')};`;
    if (into.overrides) into.signature += `#override${++overrideCounter}`;
    return into;
  }

  private fill(into: CheckedStep, i: number, v: unknown): void {
    const f = into.feeds[i]!;
    const { values, dims: given } = valuesAndDtype(f.plan.name, v, f.plan.dtype);
    f.dims = resolveDims(f.plan.name, f.plan, values.length, given);
    checkFinite(f.plan.name, values, f.plan.dtype);
    f.values = values;
  }
}

const EMPTY: FeedValues = new Float32Array(0);

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
