/**
 * The activation functions of ONNX RNN, LSTM and GRU (`activations` attribute), with the per-function
 * `activation_alpha` / `activation_beta` parameters.
 *
 * The ONNX text says the alpha and beta lists are "consumed in the order of activation functions": each
 * function that takes an alpha takes the next unused entry of `activation_alpha`, each that takes a beta
 * the next of `activation_beta`; a function whose entry is missing gets its ONNX default (the defaults of
 * the standalone operators of the same name). Names are matched case-insensitively, as onnxruntime does.
 */
import { KernelError } from '../../../errors.js';

/** Activation kinds as small integers so the hot loops switch on a number, never on a string. */
export const ActKind = {
  Relu: 0,
  Tanh: 1,
  Sigmoid: 2,
  Affine: 3,
  LeakyRelu: 4,
  ThresholdedRelu: 5,
  ScaledTanh: 6,
  HardSigmoid: 7,
  Elu: 8,
  Softsign: 9,
  Softplus: 10,
} as const;
export type ActKind = (typeof ActKind)[keyof typeof ActKind];

/** One resolved activation: which function, and the parameters it uses (unused ones are 0). */
export interface Activation {
  readonly kind: ActKind;
  readonly alpha: number;
  readonly beta: number;
}

interface ActInfo {
  kind: ActKind;
  /** Default alpha, or undefined when the function takes no alpha. */
  alpha?: number;
  /** Default beta, or undefined when the function takes no beta. */
  beta?: number;
}

const BY_NAME: ReadonlyMap<string, ActInfo> = new Map<string, ActInfo>([
  ['relu', { kind: ActKind.Relu }],
  ['tanh', { kind: ActKind.Tanh }],
  ['sigmoid', { kind: ActKind.Sigmoid }],
  ['affine', { kind: ActKind.Affine, alpha: 1, beta: 0 }],
  ['leakyrelu', { kind: ActKind.LeakyRelu, alpha: 0.01 }],
  ['thresholdedrelu', { kind: ActKind.ThresholdedRelu, alpha: 1 }],
  ['scaledtanh', { kind: ActKind.ScaledTanh, alpha: 1, beta: 1 }],
  ['hardsigmoid', { kind: ActKind.HardSigmoid, alpha: 0.2, beta: 0.5 }],
  ['elu', { kind: ActKind.Elu, alpha: 1 }],
  ['softsign', { kind: ActKind.Softsign }],
  ['softplus', { kind: ActKind.Softplus }],
]);

/** The activation names accepted (lower case), for error messages. */
export const ACTIVATION_NAMES: readonly string[] = [...BY_NAME.keys()];

/**
 * Resolves an `activations` list (already defaulted by the caller) against the alpha/beta lists.
 * `where` names the node in error messages.
 */
export function resolveActivations(
  names: readonly string[],
  alphas: readonly number[] | undefined,
  betas: readonly number[] | undefined,
  where: string,
): Activation[] {
  let ai = 0;
  let bi = 0;
  return names.map((name) => {
    const info = BY_NAME.get(name.toLowerCase());
    if (info === undefined) {
      throw new KernelError(
        `${where}: unknown activation '${name}'; expected one of ${ACTIVATION_NAMES.join(', ')} (any case)`,
      );
    }
    let alpha = 0;
    let beta = 0;
    if (info.alpha !== undefined) alpha = alphas !== undefined && ai < alphas.length ? alphas[ai++]! : info.alpha;
    if (info.beta !== undefined) beta = betas !== undefined && bi < betas.length ? betas[bi++]! : info.beta;
    return { kind: info.kind, alpha, beta };
  });
}

/**
 * Applies `act` in place to `m[off .. off+len)`. The switch sits outside the loops so each loop is a plain
 * monomorphic pass the JIT can keep tight.
 */
export function activate(act: Activation, m: Float32Array, off: number, len: number): void {
  const end = off + len;
  const { alpha, beta } = act;
  switch (act.kind) {
    case ActKind.Sigmoid:
      for (let i = off; i < end; i++) m[i] = 1 / (1 + Math.exp(-m[i]!));
      return;
    case ActKind.Tanh:
      for (let i = off; i < end; i++) m[i] = Math.tanh(m[i]!);
      return;
    case ActKind.Relu:
      for (let i = off; i < end; i++) if (m[i]! < 0) m[i] = 0;
      return;
    case ActKind.Affine:
      for (let i = off; i < end; i++) m[i] = alpha * m[i]! + beta;
      return;
    case ActKind.LeakyRelu:
      for (let i = off; i < end; i++) if (m[i]! < 0) m[i] = alpha * m[i]!;
      return;
    case ActKind.ThresholdedRelu:
      for (let i = off; i < end; i++) if (m[i]! < alpha) m[i] = 0;
      return;
    case ActKind.ScaledTanh:
      for (let i = off; i < end; i++) m[i] = alpha * Math.tanh(beta * m[i]!);
      return;
    case ActKind.HardSigmoid:
      for (let i = off; i < end; i++) m[i] = Math.min(Math.max(alpha * m[i]! + beta, 0), 1);
      return;
    case ActKind.Elu:
      for (let i = off; i < end; i++) if (m[i]! < 0) m[i] = alpha * (Math.exp(m[i]!) - 1);
      return;
    case ActKind.Softsign:
      for (let i = off; i < end; i++) m[i] = m[i]! / (1 + Math.abs(m[i]!));
      return;
    case ActKind.Softplus:
      // log1p(exp(x)) overflows to Infinity for x > ~88 in float32 terms; for large x it equals x.
      for (let i = off; i < end; i++) {
        const x = m[i]!;
        m[i] = x > 30 ? x : Math.log1p(Math.exp(x));
      }
      return;
  }
}

/** Clamps `m[off .. off+len)` to [-clip, clip] (ONNX `clip`, applied to gate pre-activations). */
export function clipRange(m: Float32Array, off: number, len: number, clip: number): void {
  const end = off + len;
  for (let i = off; i < end; i++) {
    const v = m[i]!;
    if (v > clip) m[i] = clip;
    else if (v < -clip) m[i] = -clip;
  }
}
