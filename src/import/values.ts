/**
 * What the importer knows about each Keras tensor while converting: the ONNX value holding it, its Keras
 * shape (batch-major), and the Keras mask travelling with it.
 */
import type { Dim } from '../ir/graph.js';
import type { DType } from '../tensor.js';
import type { Emitter } from './emitter.js';
import type { WeightStore } from './weights.js';

/**
 * A Keras mask as ONNX values: `mask` is float32 [batch, time] (1 = real step, 0 = padding), padding
 * anywhere in the sequence (see masked-sequence.ts).
 */
export interface MaskValues {
  mask: string;
}

export interface KerasValue {
  name: string;
  dtype: DType;
  /** Keras shape, batch first: `'batch'` for the batch axis, `'time'` for an unknown sequence length. */
  shape: Dim[];
  mask?: MaskValues;
}

/** A state input/output pair of the streaming form (`lstm/h_in` feeds on `lstm/h_out`). */
export interface StatePair {
  input: string;
  output: string;
  /** [1, batch, units]: ONNX's [num_directions, batch, hidden], batch on axis 1. */
  units: number;
  layer: string;
}

export interface ConvertContext {
  em: Emitter;
  weights: WeightStore;
  kerasVersion: string | undefined;
  /** `sequence`: the model as Keras runs it; `step`: one frame in, recurrent state as inputs/outputs. */
  form: 'sequence' | 'step';
  states: StatePair[];
}

/** The ONNX `Cast` `to` codes the importer uses. */
export const ONNX_TYPE = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;
