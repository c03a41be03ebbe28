/**
 * The typed error family. Every error rxrnn throws on purpose is one of these, and its message says what
 * was expected, what came, and (where there is one) what to do about it.
 *
 * @example
 * ```ts
 * import { InputError, RxrnnError } from 'rxrnn';
 * try { session.step(new Float32Array(3)); }
 * catch (e) { if (e instanceof InputError) console.warn(e.message); else throw e; }
 * ```
 */
export class RxrnnError extends Error {
  /** A stable machine-readable code, e.g. `MODEL_LOAD`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A model could not be read: not ONNX, truncated, inconsistent, too large, cyclic, ... */
export class ModelLoadError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_LOAD', message, options);
  }
}

/** The built-in executor lacks one or more operators a model uses. Lists all of them at once. */
export class UnsupportedOperatorError extends RxrnnError {
  /** `domain::OpType@opset` strings for every missing operator. */
  readonly operators: readonly string[];
  constructor(operators: readonly string[], message?: string) {
    super(
      'UNSUPPORTED_OPERATOR',
      message ??
        `the built-in executor does not implement: ${operators.join(', ')}. ` +
          `Run this model on the 'ort-node' or 'ort-web' backend instead.`,
    );
    this.operators = operators;
  }
}

/** A node could not be executed or prepared (bad attribute, inconsistent shapes, unsupported dtype). */
export class KernelError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KERNEL', message, options);
  }
}

/** A backend could not load or run a model; the message names the backend and the reason. */
export class BackendError extends RxrnnError {
  readonly backend: string;
  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super('BACKEND', `[${backend}] ${message}`, options);
    this.backend = backend;
  }
}

/** Input to a step/run was wrong: size, element type, NaN, unknown name. State is left untouched. */
export class InputError extends RxrnnError {
  /** The stream key the input belonged to, when a keyed operator reports it. */
  readonly key?: unknown;
  constructor(message: string, options?: { cause?: unknown; key?: unknown }) {
    super('INPUT', message, options);
    if (options && 'key' in options) this.key = options.key;
  }
}

/** A model card or binding set is inconsistent with the model, or the bindings are ambiguous. */
export class BindingError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BINDING', message, options);
  }
}

/** A snapshot could not be restored (another model, corrupted bytes, wrong version). */
export class SnapshotError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SNAPSHOT', message, options);
  }
}

/** A buffer policy overflowed (lossless `buffer` policy past its high-water mark). */
export class BackpressureError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKPRESSURE', message, options);
  }
}

/** A Keras / TensorFlow.js Layers model uses a layer or option the importer does not support. */
export class ImportError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IMPORT', message, options);
  }
}

/** Audio input that could not be decoded (not WAV, truncated, unsupported encoding). */
export class AudioFormatError extends RxrnnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUDIO_FORMAT', message, options);
  }
}
