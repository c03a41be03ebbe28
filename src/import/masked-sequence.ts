/**
 * Keras masks anywhere in a sequence, on ONNX recurrent operators that only know trailing padding.
 *
 * A Keras RNN leaves its state unchanged at a masked step, so running the cell over each row's real steps
 * alone, in order, passes through exactly the states Keras passes through. Padding may be leading (what
 * Keras's `pad_sequences` does by default), trailing or scattered, so each row's real steps are gathered
 * to the front ("compacted"), the ONNX operator runs with `sequence_lens` = their count (a reverse
 * direction then walks the real steps backwards, as a Keras backward layer does), and the per-step outputs
 * are gathered back to the positions Keras gives them.
 *
 * Keras's output at a masked step is the previous step's output (zero before the first real step), or
 * zero where `zero_output_for_mask` holds (always in a Bidirectional with return_sequences). With
 * `cs[t]` the count of real steps up to and including t, the output at t is therefore compact output
 * `cs[t] - 1`, kept where `cs[t] > 0` (or, zeroing, where step t is real).
 */
import { tensor } from '../tensor.js';
import { ONNX_TYPE, type ConvertContext } from './values.js';

export interface CompactedSequence {
  /** The input with each row's real steps first, in order, then its padded steps: [batch, time, features]. */
  x: string;
  /** int32 [batch]: each row's count of real steps, for the ONNX operator's `sequence_lens`. */
  seqLens: string;
  /**
   * A compact per-step output [batch, time, units] (one direction, batch-major) put back where Keras
   * emits it: at a padded step the last real output before it, or zero with `zeroAtPadding`.
   */
  expand(compact: string, units: number, zeroAtPadding: boolean): string;
  /**
   * The operator's final output [batch, units] as Keras's last output: zero for a row with no real step
   * (Keras's running output starts at zero and never changes there), the last real step's output otherwise.
   */
  lastOutput(final: string): string;
  /**
   * The operator's final state ([directions, batch, units]) as Keras's: the initial state for a row with
   * no real step (onnxruntime and the ONNX text give zeros for a zero `sequence_lens`), else unchanged.
   */
  finalState(final: string, initial: string): string;
}

/**
 * Compacts `x` ([batch, time, features], batch-major) by `mask` (float32 [batch, time], 1 = real step).
 * Exact for sequences shorter than 2^23 steps (positions are ordered as float32 keys).
 */
export function compactMaskedSequence(ctx: ConvertContext, x: string, mask: string, features: number): CompactedSequence {
  const { em } = ctx;
  const scalar = (hint: string, v: number) => em.constant(hint, tensor('int64', [], [v]));
  const zero = scalar('zero', 0);
  const one = scalar('one', 1);
  const oneF = em.float('one_f', 1);
  const maskShape = em.op('Shape', [mask]);
  const batch = em.op('Gather', [maskShape, zero], { axis: 0 });
  const time = em.op('Gather', [maskShape, one], { axis: 0 });

  // Sort key per step: its position, plus `time` if it is padding — real steps first, each group in order.
  // The keys are distinct, so TopK's order does not depend on how it breaks ties.
  const positions = em.op('Cast', [em.op('Range', [zero, time, one])], { to: ONNX_TYPE.float32 });
  const padding = em.op('Sub', [oneF, mask]);
  const keys = em.op('Add', [positions, em.op('Mul', [padding, em.op('Cast', [time], { to: ONNX_TYPE.float32 })])]);
  const [, order] = em.node('TopK', [keys, em.op('Unsqueeze', [time, em.int64s('axis0', [0])])], { axis: 1, largest: 0, sorted: 1 }, 2) as [string, string];

  // Row b's step t is row b * time + t of the input seen as [batch * time, features].
  const rowStart = em.op('Unsqueeze', [em.op('Mul', [em.op('Range', [zero, batch, one]), time]), em.int64s('axis1', [1])]); // [batch, 1]
  const flat = (v: string, width: number) => em.op('Reshape', [v, em.int64s('rows', [-1, width])]);
  const compactX = em.op('Gather', [flat(x, features), em.op('Add', [order, rowStart])], { axis: 0 });
  const realSteps = em.op('ReduceSum', [mask, em.int64s('axis1', [1])], { keepdims: 1 }); // [batch, 1]
  const seqLens = em.op('Cast', [em.op('Squeeze', [realSteps, em.int64s('axis1', [1])])], { to: ONNX_TYPE.int32 });
  // Where, not a multiply by 0/1: Keras selects, so a padded step is +0 (never -0) whatever was computed.
  const zeroF = em.float('zero_f', 0);
  const where = (keep: string, v: string) => em.op('Where', [em.op('Cast', [keep], { to: ONNX_TYPE.bool }), v, zeroF]);
  const lastOutput = (final: string) => where(realSteps, final);
  const finalState = (final: string, initial: string) =>
    initial ? em.op('Where', [em.op('Cast', [em.op('Unsqueeze', [realSteps, em.int64s('axis0', [0])])], { to: ONNX_TYPE.bool }), final, initial]) : final;

  let realSoFar = '';
  let source = '';
  const expand = (compact: string, units: number, zeroAtPadding: boolean): string => {
    if (!source) {
      realSoFar = em.op('CumSum', [mask, one]); // [batch, time]: real steps up to and including t
      const last = em.op('Max', [em.op('Sub', [realSoFar, oneF]), zeroF]);
      source = em.op('Add', [em.op('Cast', [last], { to: ONNX_TYPE.int64 }), rowStart]);
    }
    const gathered = em.op('Gather', [flat(compact, units), source], { axis: 0 }); // [batch, time, units]
    return where(em.op('Unsqueeze', [zeroAtPadding ? mask : realSoFar, em.int64s('axis2', [2])]), gathered);
  };
  return { x: compactX, seqLens, expand, lastOutput, finalState };
}
