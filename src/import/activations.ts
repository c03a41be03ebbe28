/**
 * Keras activations as ONNX: standalone (Dense, Activation) and inside the RNN/LSTM/GRU operators.
 *
 * `hard_sigmoid` is the one whose constants depend on who saved the model: Keras 2 and TensorFlow.js
 * compute clip(0.2x + 0.5, 0, 1); Keras 3 computes relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1).
 */
import { ImportError } from '../errors.js';
import type { Emitter } from './emitter.js';
// Typed attributes pass through the builder's toAttribute as they are: Keras's constants stay exact
// doubles in the IR (attr.float would round them to float32).
import type { AttrValue } from '../onnx/build.js';

/** Where an activation is used, for error messages: layer name, class and option. */
export interface ActivationSite {
  layer: string;
  className: string;
  option: string;
}

/** The activation name of a config value: a string, null (linear), or a serialized `{ class_name, config }`. */
export function activationName(value: unknown, site: ActivationSite): string {
  if (value === undefined || value === null) return 'linear';
  // TF.js spells some names in camelCase in code ('hardSigmoid'); saved files use Keras's snake_case.
  if (typeof value === 'string') return value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (typeof value === 'object' && value !== null && 'class_name' in value) {
    const v = value as { class_name: unknown; config?: { name?: unknown } };
    if (v.class_name === 'function' && typeof v.config?.name === 'string') return v.config.name;
    if (typeof v.class_name === 'string') return v.class_name.toLowerCase();
  }
  throw new ImportError(`layer '${site.layer}' (${site.className}): option '${site.option}' has an unreadable value ${JSON.stringify(value)}`);
}

/** Slope of hard_sigmoid for the Keras version that saved the model. */
export function hardSigmoidAlpha(kerasVersion: string | undefined): number {
  return kerasVersion !== undefined && /^3\./.test(kerasVersion.trim()) ? 1 / 6 : 0.2;
}

/** An activation inside an ONNX recurrent operator: name plus the alpha/beta it consumes. */
export interface RnnActivation {
  name: string;
  alpha?: number;
  beta?: number;
}

/** Maps a Keras activation onto the ONNX recurrent operators' activation list. */
export function rnnActivation(name: string, site: ActivationSite, kerasVersion: string | undefined): RnnActivation {
  switch (name) {
    case 'sigmoid':
      return { name: 'Sigmoid' };
    case 'tanh':
      return { name: 'Tanh' };
    case 'relu':
      return { name: 'Relu' };
    case 'hard_sigmoid':
      return { name: 'HardSigmoid', alpha: hardSigmoidAlpha(kerasVersion), beta: 0.5 };
    case 'softsign':
      return { name: 'Softsign' };
    case 'softplus':
      return { name: 'Softplus' };
    case 'elu':
      return { name: 'Elu', alpha: 1 };
    case 'linear':
      return { name: 'Affine', alpha: 1, beta: 0 };
    default:
      throw new ImportError(
        `layer '${site.layer}' (${site.className}): option '${site.option}' = '${name}' is not supported inside a recurrent layer ` +
          `(supported: sigmoid, hard_sigmoid, tanh, relu, softsign, softplus, elu, linear)`,
      );
  }
}

/**
 * The `activations`, `activation_alpha` and `activation_beta` attributes for a list of recurrent
 * activations. The alpha/beta lists are written only when some activation needs a value other than the
 * ONNX default, and then positionally, one entry per activation — so readers that consume them per
 * activation and readers that consume them only for parameterised activations agree whenever the
 * parameterised activations come first (the recurrent activation, the usual place for hard_sigmoid).
 */
export function rnnActivationAttrs(acts: readonly RnnActivation[]): Record<string, AttrValue> {
  const defaults: Record<string, [number, number]> = { HardSigmoid: [0.2, 0.5], Elu: [1, 0], Affine: [1, 0] };
  const attrs: Record<string, AttrValue> = { activations: acts.map((a) => a.name) };
  const needs = acts.some((a) => {
    const d = defaults[a.name];
    return d !== undefined && ((a.alpha ?? d[0]) !== d[0] || (a.beta ?? d[1]) !== d[1]);
  });
  if (needs) {
    attrs['activation_alpha'] = { type: 'floats', value: acts.map((a) => a.alpha ?? 0) };
    attrs['activation_beta'] = { type: 'floats', value: acts.map((a) => a.beta ?? 0) };
  }
  return attrs;
}

/** Emits a standalone Keras activation on value `x`; returns the result's name. */
export function emitActivation(em: Emitter, name: string, x: string, site: ActivationSite, kerasVersion: string | undefined): string {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return em.op('Relu', [x]);
    case 'relu6':
      return em.op('Clip', [x, em.float('zero', 0), em.float('six', 6)]);
    case 'sigmoid':
      return em.op('Sigmoid', [x]);
    case 'hard_sigmoid':
      return em.op('HardSigmoid', [x], { alpha: { type: 'float', value: hardSigmoidAlpha(kerasVersion) }, beta: { type: 'float', value: 0.5 } });
    case 'tanh':
      return em.op('Tanh', [x]);
    case 'softmax':
      return em.op('Softmax', [x], { axis: -1 });
    case 'log_softmax':
      return em.op('LogSoftmax', [x], { axis: -1 });
    case 'elu':
      return em.op('Elu', [x], { alpha: { type: 'float', value: 1 } });
    case 'selu':
      return em.op('Selu', [x]);
    case 'softplus':
      return em.op('Softplus', [x]);
    case 'softsign':
      return em.op('Softsign', [x]);
    case 'exponential':
      return em.op('Exp', [x]);
    case 'swish':
    case 'silu':
      return em.op('Mul', [x, em.op('Sigmoid', [x])]);
    default:
      throw new ImportError(
        `layer '${site.layer}' (${site.className}): option '${site.option}' = '${name}' is not supported ` +
          `(supported: linear, relu, relu6, sigmoid, hard_sigmoid, tanh, softmax, log_softmax, elu, selu, softplus, softsign, exponential, swish/silu)`,
      );
  }
}
