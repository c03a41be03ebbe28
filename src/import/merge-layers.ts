/**
 * The layers that join the branches of a functional model: Concatenate, the element-wise merges (Add,
 * Subtract, Multiply, Average, Maximum, Minimum) and Dot (attention scores and contexts).
 *
 * Shapes follow TensorFlow.js and Keras: inputs of a lower rank are expanded at axis 1 until every input
 * has the same rank, then dimensions broadcast NumPy-style (a 1 stretches, other sizes must match), which
 * is also how the ONNX operators broadcast.
 *
 * Masks follow Keras: an element-wise merge keeps the steps every masked input keeps (logical AND; an
 * unmasked input counts as all-true); Concatenate along the features does the same in Keras 2 and
 * TensorFlow.js, while Keras 3 reduces the concatenated masks with `any` (logical OR); Concatenate along
 * the time axis concatenates the masks; Dot drops the mask.
 *
 * In the streaming form every time axis is one frame long, so a length-1 axis 1 is taken for the time
 * axis: a layer that joins or contracts along it, or pairs two sequences' time axes, is refused (at worst a
 * refusal of a model that would have streamed, never a wrong number).
 */
import { ImportError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { boolOpt, checkKeys, unsupported } from './options.js';
import type { LayerSpec } from './topology.js';
import type { ConvertContext, KerasValue, MaskValues } from './values.js';

const ELEMENTWISE = { Add: 'Add', Subtract: 'Sub', Multiply: 'Mul', Average: 'Add', Maximum: 'Max', Minimum: 'Min' } as const;
type ElementwiseClass = keyof typeof ELEMENTWISE;

export const MERGE_CLASSES: ReadonlySet<string> = new Set([...Object.keys(ELEMENTWISE), 'Concatenate', 'Dot']);

/** Keras's l2_normalize floor on the squared norm (TensorFlow.js uses its epsilon, 1e-7, instead). */
const L2_EPSILON = 1e-12;

const where = (layer: LayerSpec) => `layer '${layer.name}' (${layer.className})`;

/** True in the streaming form for a value whose axis 1 is (taken for) the one-frame time axis. */
export function hasFrameAxis(ctx: ConvertContext, x: KerasValue): boolean {
  return ctx.form === 'step' && x.shape.length >= 2 && x.shape[1] === 1;
}

export function convertMerge(ctx: ConvertContext, layer: LayerSpec, inputs: KerasValue[]): KerasValue {
  if (inputs.length < 2) throw new ImportError(`${where(layer)}: a merge layer takes at least 2 inputs, got ${inputs.length}`);
  const dtype = inputs[0]!.dtype;
  if (inputs.some((v) => v.dtype !== dtype)) throw new ImportError(`${where(layer)}: inputs have different dtypes (${inputs.map((v) => v.dtype).join(', ')})`);
  if (layer.className === 'Concatenate') return concatenate(ctx, layer, inputs);
  if (layer.className === 'Dot') return dot(ctx, layer, inputs);
  return elementwise(ctx, layer, inputs, layer.className as ElementwiseClass);
}

/** One broadcast dimension, or an ImportError when two known sizes cannot broadcast. */
function broadcastDim(layer: LayerSpec, a: Dim, b: Dim, shapes: () => string): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number') throw new ImportError(`${where(layer)}: input shapes ${shapes()} cannot be broadcast together`);
  // One size known and not 1: the other must equal it at run time (or be 1, which gives it too).
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return null;
}

const showShape = (v: KerasValue) => `[${v.shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;

function elementwise(ctx: ConvertContext, layer: LayerSpec, inputs: KerasValue[], kind: ElementwiseClass): KerasValue {
  const { em } = ctx;
  checkKeys(layer, []);
  if (kind === 'Subtract' && inputs.length !== 2) throw new ImportError(`${where(layer)}: takes exactly 2 inputs, got ${inputs.length}`);
  const rank = Math.max(...inputs.map((v) => v.shape.length));
  // Keras expands a lower-rank input at axis 1 (after the batch), not on the left as NumPy would.
  const aligned = inputs.map((v) => {
    const missing = rank - v.shape.length;
    if (missing === 0) return { name: v.name, shape: v.shape };
    const axes = Array.from({ length: missing }, (_, i) => i + 1);
    return { name: em.op('Unsqueeze', [v.name, em.int64s('axes', axes)]), shape: [v.shape[0]!, ...axes.map(() => 1), ...v.shape.slice(1)] };
  });
  const shapes = () => inputs.map(showShape).join(', ');
  const shape = aligned.reduce<Dim[]>((acc, v) => acc.map((d, i) => (i === 0 ? d : broadcastDim(layer, d, v.shape[i]!, shapes))), aligned[0]!.shape);
  let y = aligned[0]!.name;
  for (const v of aligned.slice(1)) y = em.op(ELEMENTWISE[kind], [y, v.name]);
  if (kind === 'Average') y = em.op('Mul', [y, em.float('inverse_count', 1 / inputs.length)]);
  const mask = combineMasks(ctx, inputs, 'and');
  return { name: y, dtype: inputs[0]!.dtype, shape, ...(mask ? { mask } : {}) };
}

/** The inputs' masks joined by AND (or OR); undefined when no input has one. */
function combineMasks(ctx: ConvertContext, inputs: KerasValue[], how: 'and' | 'or'): MaskValues | undefined {
  const masks = inputs.flatMap((v) => (v.mask ? [v.mask.mask] : []));
  if (masks.length === 0) return undefined;
  // An unmasked input is all-true: it changes an AND nothing, and makes an OR all-true.
  if (how === 'or' && masks.length < inputs.length) return undefined;
  let m = masks[0]!;
  for (const other of masks.slice(1)) m = ctx.em.op(how === 'and' ? 'Mul' : 'Max', [m, other]); // 0/1 floats
  return { mask: m };
}

/** An integer axis option, negative counting from the end, as an index into a rank-`rank` shape. */
function axisIndex(layer: LayerSpec, key: string, raw: unknown, rank: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) unsupported(layer, key, raw, 'expected an integer axis');
  const a = raw < 0 ? raw + rank : raw;
  if (a < 1 || a >= rank) unsupported(layer, key, raw, `for rank-${rank} inputs the axis must be one of 1..${rank - 1} (or negative), not the batch axis`);
  return a;
}

function concatenate(ctx: ConvertContext, layer: LayerSpec, inputs: KerasValue[]): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['axis']);
  const rank = inputs[0]!.shape.length;
  if (inputs.some((v) => v.shape.length !== rank)) throw new ImportError(`${where(layer)}: inputs have different ranks (${inputs.map(showShape).join(', ')})`);
  const raw = layer.config['axis'] ?? -1;
  const axis = axisIndex(layer, 'axis', raw, rank);
  if (axis === 1 && inputs.some((v) => hasFrameAxis(ctx, v))) {
    unsupported(layer, 'axis', raw, 'concatenating along the time axis joins whole sequences, so it cannot run frame by frame; import the sequence form');
  }
  const shape: Dim[] = [...inputs[0]!.shape];
  for (let i = 1; i < rank; i++) {
    if (i === axis) continue;
    const known = inputs.map((v) => v.shape[i]).filter((d): d is number => typeof d === 'number');
    if (known.some((d) => d !== known[0])) throw new ImportError(`${where(layer)}: input shapes ${inputs.map(showShape).join(', ')} differ outside the concatenation axis ${i}`);
    if (known.length) shape[i] = known[0]!;
  }
  const sizes = inputs.map((v) => v.shape[axis]);
  shape[axis] = sizes.every((d) => typeof d === 'number') ? (sizes as number[]).reduce((a, b) => a + b, 0) : null;
  const y = em.op('Concat', inputs.map((v) => v.name), { axis });
  const out: KerasValue = { name: y, dtype: inputs[0]!.dtype, shape };
  if (!inputs.some((v) => v.mask)) return out;
  if (rank !== 3) throw new ImportError(`${where(layer)}: a mask (from Masking or Embedding mask_zero) through a Concatenate of rank-${rank} inputs is not supported (only [batch, time, features])`);
  if (axis === 1) {
    // Along time the output's steps are the inputs' steps, so its mask is theirs, one after the other.
    out.mask = { mask: em.op('Concat', inputs.map((v) => v.mask?.mask ?? allTrue(ctx, v.name)), { axis: 1 }) };
  } else {
    const keras3 = ctx.kerasVersion !== undefined && /^3\./.test(ctx.kerasVersion.trim());
    const mask = combineMasks(ctx, inputs, keras3 ? 'or' : 'and');
    if (mask) out.mask = mask;
  }
  return out;
}

/** An all-true mask float32 [batch, time] for the sequence `x`. */
function allTrue(ctx: ConvertContext, x: string): string {
  const { em } = ctx;
  const batchTime = em.op('Slice', [em.op('Shape', [x]), em.int64s('starts', [0]), em.int64s('ends', [2])]);
  return em.op('Expand', [em.float('one', 1), batchTime]);
}

/** Dot's `axes`: one integer for both inputs or one per input, as indices into each input's shape. */
function dotAxes(layer: LayerSpec, a: KerasValue, b: KerasValue): [number, number] {
  const raw = layer.config['axes'];
  const pair = Array.isArray(raw) ? raw : [raw, raw];
  if (pair.length !== 2) unsupported(layer, 'axes', raw, 'expected an integer or a pair of integers');
  return [axisIndex(layer, 'axes', pair[0], a.shape.length), axisIndex(layer, 'axes', pair[1], b.shape.length)];
}

/**
 * Dot: Keras's batch_dot of two [batch, ...] tensors of rank 2 or 3 (TensorFlow.js's limit) over one
 * axis of each. The contracted axis goes last in `a` and first (after the batch) in `b`, so one batched
 * MatMul [batch, m, k] × [batch, k, n] does it; a rank-2 input stands in as m or n = 1, squeezed after.
 */
function dot(ctx: ConvertContext, layer: LayerSpec, inputs: KerasValue[]): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['axes', 'normalize']);
  if (inputs.length !== 2) throw new ImportError(`${where(layer)}: takes exactly 2 inputs, got ${inputs.length}`);
  const [a, b] = inputs as [KerasValue, KerasValue];
  for (const v of inputs) {
    if (v.shape.length < 2 || v.shape.length > 3) throw new ImportError(`${where(layer)}: inputs must be rank 2 or 3 ([batch, features] or [batch, time, features]), got ${showShape(v)}`);
  }
  if (a.dtype !== 'float32') throw new ImportError(`${where(layer)}: inputs must be float32, got ${a.dtype}`);
  const [ax, bx] = dotAxes(layer, a, b);
  const ka = a.shape[ax];
  const kb = b.shape[bx];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    throw new ImportError(`${where(layer)}: the dot axes have different sizes (${ka} in ${showShape(a)}, ${kb} in ${showShape(b)})`);
  }
  if (ctx.form === 'step') {
    const contractsTime = (hasFrameAxis(ctx, a) && ax === 1) || (hasFrameAxis(ctx, b) && bx === 1);
    if (contractsTime || (hasFrameAxis(ctx, a) && hasFrameAxis(ctx, b))) {
      unsupported(layer, 'axes', layer.config['axes'], 'a Dot over the time axis, or between two sequences (attention), needs whole sequences, so it cannot run frame by frame; import the sequence form');
    }
  }
  const normalize = boolOpt(layer, 'normalize', false);
  let left = normalize ? l2Normalize(ctx, a.name, ax) : a.name;
  let right = normalize ? l2Normalize(ctx, b.name, bx) : b.name;
  // left → [batch, m, k]; right → [batch, k, n].
  if (a.shape.length === 2) left = em.op('Unsqueeze', [left, em.int64s('axis1', [1])]);
  else if (ax === 1) left = em.op('Transpose', [left], { perm: [0, 2, 1] });
  if (b.shape.length === 2) right = em.op('Unsqueeze', [right, em.int64s('axis2', [2])]);
  else if (bx === 2) right = em.op('Transpose', [right], { perm: [0, 2, 1] });
  let y = em.op('MatMul', [left, right]);
  const shape: Dim[] = [a.shape[0]!, ...a.shape.filter((_, i) => i !== 0 && i !== ax), ...b.shape.filter((_, i) => i !== 0 && i !== bx)];
  if (b.shape.length === 2) y = em.op('Squeeze', [y, em.int64s('axis2', [2])]);
  else if (a.shape.length === 2) y = em.op('Squeeze', [y, em.int64s('axis1', [1])]);
  // Two vectors give [batch, 1, 1] here, and Keras keeps [batch, 1].
  if (shape.length === 1) shape.push(1);
  return { name: y, dtype: 'float32', shape };
}

/** x / sqrt(max(sum(x², axis), epsilon)), as Keras's l2_normalize. */
function l2Normalize(ctx: ConvertContext, x: string, axis: number): string {
  const { em } = ctx;
  const squares = em.op('ReduceSum', [em.op('Mul', [x, x]), em.int64s('axis', [axis])], { keepdims: 1 });
  return em.op('Div', [x, em.op('Sqrt', [em.op('Max', [squares, em.float('epsilon', L2_EPSILON)])])]);
}
