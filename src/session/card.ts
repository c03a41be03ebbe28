/**
 * Model cards: the JSON sidecar that says how to step a model (see `schemas/model-card.schema.json`).
 * `validateCard` checks a parsed JSON value against the schema with ajv and returns it typed; whether the
 * card fits a particular model is checked when a session is created (`resolveBindings`).
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import schema from '../../schemas/model-card.schema.json' with { type: 'json' };
import { BindingError } from '../errors.js';
import type { DType } from '../tensor.js';

/** A state binding as a card states it. */
export interface CardState {
  input: string;
  output: string;
  batchAxis?: number;
  dims?: number[];
  meaning?: string;
  $comment?: string;
}

/** A per-step input as a card states it. */
export interface CardInput {
  name: string;
  batchAxis?: number;
  dims?: number[];
  /** Elements the caller supplies per step, without the context. */
  frame?: number;
  /** Elements of the previous step's flattened input the session prepends (zeros at first). */
  context?: number;
  meaning?: string;
  $comment?: string;
}

/** A constant input's value. */
export interface CardConstant {
  dtype: DType;
  dims: number[];
  data: (number | boolean)[];
}

/**
 * A model card.
 *
 * @example
 * ```ts
 * const card: ModelCard = {
 *   format: 'rxrnn-model-card/1',
 *   name: 'silero-vad-v5',
 *   sampleRate: 16000,
 *   state: [{ input: 'state', output: 'stateN', batchAxis: 1 }],
 *   inputs: [{ name: 'input', batchAxis: 0, frame: 512, context: 64 }],
 *   constants: { sr: { dtype: 'int64', dims: [], data: [16000] } },
 *   outputs: { output: { meaning: 'speech probability', batchAxis: 0 } },
 * };
 * ```
 */
export interface ModelCard {
  format: 'rxrnn-model-card/1';
  $schema?: string;
  $comment?: string;
  name?: string;
  description?: string;
  source?: string;
  license?: string;
  sampleRate?: number;
  batch?: 'dynamic' | 'fixed';
  state?: CardState[];
  inputs?: CardInput[];
  constants?: Record<string, CardConstant>;
  outputs?: Record<string, { meaning?: string; batchAxis?: number; labels?: string[]; $comment?: string }>;
  labels?: string[];
  vocabulary?: string[];
  metadata?: Record<string, string | number | boolean>;
}

/** The JSON Schema cards are validated against (draft 2020-12). */
export const MODEL_CARD_SCHEMA: object = schema;

type AjvCtor = new (opts: object) => { compile(s: object): ValidateFn };
type ValidateFn = ((x: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: object }[] | null };

let validator: ValidateFn | undefined;

function compiled(): ValidateFn {
  if (validator) return validator;
  // ajv ships CommonJS; under ESM its class is the module's `default`.
  const mod = Ajv2020Module as unknown as AjvCtor & { default?: AjvCtor };
  const Ajv = mod.default ?? mod;
  validator = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validator;
}

/**
 * Checks a parsed JSON value against the model-card schema. Throws a BindingError listing every problem.
 *
 * @example
 * ```ts
 * import { validateCard } from 'rxrnn';
 * const card = validateCard(JSON.parse(await readFile('model.card.json', 'utf8')));
 * ```
 */
export function validateCard(json: unknown): ModelCard {
  const validate = compiled();
  if (validate(json)) {
    const card = json as ModelCard;
    checkConstantSizes(card);
    return card;
  }
  const problems = (validate.errors ?? []).map((e) => {
    const where = e.instancePath || '(card)';
    const extra = e.params && 'additionalProperty' in e.params ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'` : '';
    return `${where}: ${e.message ?? 'invalid'}${extra}`;
  });
  throw new BindingError(`the model card does not match schemas/model-card.schema.json: ${problems.join('; ')}`);
}

function checkConstantSizes(card: ModelCard): void {
  for (const [name, c] of Object.entries(card.constants ?? {})) {
    const n = c.dims.reduce((a, b) => a * b, 1);
    if (c.data.length !== n) {
      throw new BindingError(`card constant '${name}': dims [${c.dims.join(', ')}] hold ${n} values, data has ${c.data.length}`);
    }
    if ((c.dtype === 'int64' || c.dtype === 'uint64') && c.data.some((v) => typeof v === 'number' && !Number.isSafeInteger(v))) {
      throw new BindingError(`card constant '${name}': int64 values must be safe integers in JSON`);
    }
  }
}
