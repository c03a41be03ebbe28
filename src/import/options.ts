/**
 * Config option checks shared by the layer converters. Every key a layer's config carries must be one the
 * importer understands or one that cannot change inference (initializers, regularizers, constraints,
 * training-only settings); anything else is an `ImportError` naming the layer, its class and the option,
 * because silently ignoring an option could change the numbers.
 */
import { ImportError } from '../errors.js';
import type { LayerSpec } from './topology.js';

/** Keys any layer may carry without affecting inference. */
const COMMON = new Set([
  'name',
  'trainable',
  'dtype',
  'module',
  'registered_name',
  'batch_input_shape',
  'batch_shape',
  'input_shape',
  'input_dtype',
  'build_config',
  'seed',
  'activity_regularizer',
  'autocast',
  'input_length',
]);

const IGNORABLE_SUFFIX = /_(initializer|regularizer|constraint)$/;

/** Throws when `layer.config` has a key outside `known` and the ignorable ones. */
export function checkKeys(layer: LayerSpec, known: readonly string[], config: Record<string, unknown> = layer.config): void {
  for (const key of Object.keys(config)) {
    if (COMMON.has(key) || IGNORABLE_SUFFIX.test(key) || known.includes(key)) continue;
    throw new ImportError(`layer '${layer.name}' (${layer.className}): option '${key}' is not supported by the importer`);
  }
}

export function boolOpt(layer: LayerSpec, key: string, fallback: boolean, config: Record<string, unknown> = layer.config): boolean {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new ImportError(`layer '${layer.name}' (${layer.className}): option '${key}' must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function intOpt(layer: LayerSpec, key: string, config: Record<string, unknown> = layer.config): number {
  const v = config[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ImportError(`layer '${layer.name}' (${layer.className}): option '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Rejects an option whose value the importer cannot honour. */
export function unsupported(layer: LayerSpec, key: string, value: unknown, why: string): never {
  throw new ImportError(`layer '${layer.name}' (${layer.className}): option '${key}' = ${JSON.stringify(value)} is not supported: ${why}`);
}
