/**
 * Working out how to step a model: which inputs are recurrent state (and which output feeds each),
 * which are constants, which are fed per step, and along which axis each is batched. From a model card
 * when there is one; otherwise detected from names and shapes, refusing to guess when it is ambiguous.
 */
import type { Dim, Model, ValueInfo } from '../ir/graph.js';
import { BindingError } from '../errors.js';
import { isDType, sizeOf, tensor, type DType, type Tensor } from '../tensor.js';
import type { ModelCard } from './card.js';
import type { StateBinding } from './types.js';

/** A per-step input as the session handles it. */
export interface StepInputPlan {
  name: string;
  dtype: DType;
  /** Per-stream shape the model sees (batch 1, context included); null where each step decides. */
  dims: (number | null)[];
  /** Undefined for an input without a batch axis (a scalar like Silero's `sr`): slots then run one call each. */
  batchAxis?: number;
  /** Elements carried over from the previous step's flattened input and prepended (0: none). */
  context: number;
}

export interface OutputPlan {
  name: string;
  dtype?: DType;
  dims?: (number | null)[];
  /** Undefined when the batch axis of this output cannot be told (the model then runs one slot per call). */
  batchAxis?: number;
}

export interface SessionPlan {
  bindings: StateBinding[];
  stepInputs: StepInputPlan[];
  constants: Map<string, Tensor>;
  /** Outputs that are not state. */
  outputs: OutputPlan[];
  batchable: boolean;
  /** Why the model is (not) batchable: shown in errors and `info`. */
  batchReason: string;
}

function tensorType(v: ValueInfo): { elemType: string; shape?: Dim[] } | undefined {
  return v.type?.kind === 'tensor' ? v.type : undefined;
}

function isFixed(d: Dim | undefined): d is number {
  return typeof d === 'number';
}

/** Graph inputs the caller must feed (an input with an initializer of the same name is only a default). */
export function feedableInputs(model: Model): ValueInfo[] {
  return model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
}

/**
 * Output names that conventionally carry the next value of state input `input`:
 * `h`→`hn`, `state`→`stateN`, `initial_h`→`Y_h`, `h_in`→`h_out`, `past_k`→`present_k`, ...
 */
export function candidateOutputNames(input: string): string[] {
  const c = new Set<string>([`${input}n`, `${input}N`, `${input}_n`, `${input}_new`, `${input}_next`, `${input}_out`, `new_${input}`, `next_${input}`]);
  const m = /^initial_([hc])$/i.exec(input);
  if (m) c.add(`Y_${m[1]}`);
  if (/_in$/.test(input)) c.add(input.replace(/_in$/, '_out'));
  if (/^in_/.test(input)) c.add(input.replace(/^in_/, 'out_'));
  if (/_in_/.test(input)) c.add(input.replace(/_in_/, '_out_'));
  if (/^past_/.test(input)) c.add(input.replace(/^past_/, 'present_'));
  if (/0$/.test(input)) c.add(input.replace(/0$/, 'n')).add(input.replace(/_?0$/, '_n'));
  return [...c];
}

function shapesCompatible(a: Dim[] | undefined, b: Dim[] | undefined): boolean {
  if (!a || !b) return true;
  if (a.length !== b.length) return false;
  return a.every((d, i) => !isFixed(d) || !isFixed(b[i]) || d === b[i]);
}

/** Every (state input, output) pair that name rules, element type and shape allow. */
export function detectCandidates(model: Model): { input: string; outputs: string[] }[] {
  const outs = new Map(model.graph.outputs.map((o) => [o.name, o]));
  const found: { input: string; outputs: string[] }[] = [];
  for (const inp of feedableInputs(model)) {
    const it = tensorType(inp);
    const matches = candidateOutputNames(inp.name).filter((name) => {
      const o = outs.get(name);
      if (!o) return false;
      const ot = tensorType(o);
      if (!it || !ot) return true;
      return it.elemType === ot.elemType && shapesCompatible(it.shape, ot.shape);
    });
    if (matches.length) found.push({ input: inp.name, outputs: matches });
  }
  return found;
}

/** The batch axis of a state tensor: its single non-fixed dimension, else (all fixed) the first size-1 axis after 0 for rank 3 (ONNX RNN state [dirs, batch, hidden]), else the first size-1 axis. */
function guessBatchAxis(shape: Dim[] | undefined, preferred?: Dim): number | undefined {
  if (!shape) return undefined;
  if (preferred !== undefined && preferred !== null && typeof preferred === 'string') {
    const i = shape.indexOf(preferred);
    if (i >= 0) return i;
  }
  const free = shape.map((d, i) => (isFixed(d) ? -1 : i)).filter((i) => i >= 0);
  if (free.length >= 1) return free[0];
  if (shape.length === 3 && shape[1] === 1) return 1;
  const one = shape.indexOf(1);
  return one >= 0 ? one : undefined;
}

function dtypeOf(v: ValueInfo, what: string): DType {
  const t = tensorType(v);
  if (!t) throw new BindingError(`${what} '${v.name}' has no declared tensor type; name its dtype and dims in a model card`);
  if (!isDType(t.elemType)) throw new BindingError(`${what} '${v.name}' is ${t.elemType}, which step sessions cannot carry`);
  return t.elemType;
}

/**
 * A starter card for a model: the detected bindings (the first candidate where several fit, the others
 * listed in `$comment`), the per-step inputs with their shapes, and the outputs. `rxrnn info MODEL --card`
 * prints it.
 *
 * @example
 * ```ts
 * import { starterCard } from 'rxrnn';
 * console.log(JSON.stringify(starterCard(model), null, 2));
 * ```
 */
export function starterCard(model: Model): ModelCard {
  const cands = detectCandidates(model);
  const stateInputs = new Set(cands.map((c) => c.input));
  const state = cands.map((c) => {
    const inp = model.graph.inputs.find((v) => v.name === c.input)!;
    const axis = guessBatchAxis(tensorType(inp)?.shape);
    return {
      input: c.input,
      output: c.outputs[0]!,
      ...(axis !== undefined ? { batchAxis: axis } : {}),
      ...(c.outputs.length > 1 ? { $comment: `other candidates: ${c.outputs.slice(1).join(', ')}` } : {}),
    };
  });
  const inputs = feedableInputs(model)
    .filter((v) => !stateInputs.has(v.name))
    .map((v) => {
      const shape = tensorType(v)?.shape;
      const axis = guessBatchAxis(shape);
      const fixed = shape?.every(isFixed) ? { dims: shape.map((d, i) => (i === axis ? 1 : (d as number))) } : {};
      return { name: v.name, ...(axis !== undefined ? { batchAxis: axis } : {}), ...fixed, $comment: `shape ${shapeText(shape)}; if this input is a constant, move it to "constants"` };
    });
  const stateOutputs = new Set(state.map((s) => s.output));
  const outputs: NonNullable<ModelCard['outputs']> = {};
  for (const o of model.graph.outputs) if (!stateOutputs.has(o.name)) outputs[o.name] = { meaning: '' };
  return { format: 'rxrnn-model-card/1', name: model.graph.name || 'model', state, inputs, constants: {}, outputs };
}

function shapeText(shape: Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'unknown';
}

function constantTensor(name: string, c: NonNullable<ModelCard['constants']>[string]): Tensor {
  try {
    return tensor(c.dtype, c.dims, c.data);
  } catch (e) {
    throw new BindingError(`card constant '${name}': ${(e as Error).message}`);
  }
}

/**
 * Resolves how to step `model`, from `card` when given, else by detection.
 * Throws a BindingError when the card contradicts the model or detection is ambiguous.
 *
 * @example
 * ```ts
 * import { planSession, readModel } from 'rxrnn';
 * const plan = planSession(readModel(bytes));
 * console.log(plan.bindings.map((b) => `${b.input} <- ${b.output}`), plan.batchable, plan.batchReason);
 * ```
 */
export function planSession(model: Model, card?: ModelCard): SessionPlan {
  const inputs = feedableInputs(model);
  const inputByName = new Map(inputs.map((v) => [v.name, v]));
  const outputByName = new Map(model.graph.outputs.map((v) => [v.name, v]));

  // 1. State pairs.
  let pairs: { input: string; output: string; batchAxis?: number; dims?: number[] }[];
  if (card?.state) {
    pairs = card.state;
  } else {
    const cands = detectCandidates(model);
    const ambiguous = cands.filter((c) => c.outputs.length > 1);
    const claimed = new Map<string, string[]>();
    for (const c of cands) if (c.outputs.length === 1) claimed.set(c.outputs[0]!, [...(claimed.get(c.outputs[0]!) ?? []), c.input]);
    const shared = [...claimed].filter(([, ins]) => ins.length > 1);
    if (ambiguous.length || shared.length) {
      const lines = [
        ...ambiguous.map((c) => `state input '${c.input}' could be fed from any of: ${c.outputs.join(', ')}`),
        ...shared.map(([o, ins]) => `output '${o}' fits several state inputs: ${ins.join(', ')}`),
      ];
      throw new BindingError(
        `cannot tell the state bindings apart:\n  ${lines.join('\n  ')}\n` +
          `Write a model card (rxrnn info MODEL --card prints this starter):\n${JSON.stringify(starterCard(model), null, 2)}`,
      );
    }
    pairs = cands.map((c) => ({ input: c.input, output: c.outputs[0]! }));
  }

  // A symbolic batch dimension name shared by the model's inputs, when it uses one (e.g. 'batch').
  const bindings: StateBinding[] = [];
  for (const p of pairs) {
    const inp = inputByName.get(p.input);
    if (!inp) throw new BindingError(`state input '${p.input}' is not an input of the model (inputs: ${inputs.map((v) => v.name).join(', ')})`);
    const out = outputByName.get(p.output);
    if (!out) throw new BindingError(`state output '${p.output}' (for '${p.input}') is not an output of the model (outputs: ${[...outputByName.keys()].join(', ')})`);
    const dtype = dtypeOf(inp, 'state input');
    const odt = tensorType(out)?.elemType;
    if (odt !== undefined && odt !== dtype) throw new BindingError(`state '${p.input}' is ${dtype} but its output '${p.output}' is ${odt}`);
    const shape = tensorType(inp)?.shape;
    if (!shapesCompatible(shape, tensorType(out)?.shape)) {
      throw new BindingError(`state '${p.input}' ${shapeText(shape)} and its output '${p.output}' ${shapeText(tensorType(out)?.shape)} have different shapes`);
    }
    const batchAxis = p.batchAxis ?? guessBatchAxis(shape);
    if (batchAxis === undefined) throw new BindingError(`cannot tell the batch axis of state '${p.input}' ${shapeText(shape)}; give batchAxis in the model card`);
    let dims: number[];
    if (p.dims) {
      dims = p.dims;
      if (shape && (shape.length !== dims.length || shape.some((d, i) => isFixed(d) && i !== batchAxis && d !== dims[i]))) {
        throw new BindingError(`card dims [${dims.join(', ')}] of state '${p.input}' contradict the model's ${shapeText(shape)}`);
      }
    } else {
      if (!shape) throw new BindingError(`state '${p.input}' has no declared shape; give its per-stream dims in a model card`);
      const unknown = shape.findIndex((d, i) => i !== batchAxis && !isFixed(d));
      if (unknown >= 0) throw new BindingError(`state '${p.input}' ${shapeText(shape)} leaves axis ${unknown} open besides the batch axis; give its per-stream dims in a model card`);
      dims = shape.map((d, i) => (i === batchAxis ? 1 : (d as number)));
    }
    if (batchAxis >= dims.length || dims[batchAxis] !== 1) throw new BindingError(`state '${p.input}': per-stream dims [${dims.join(', ')}] must be 1 on batch axis ${batchAxis}`);
    bindings.push({ input: p.input, output: p.output, dtype, dims, batchAxis });
  }
  const stateInputs = new Set(bindings.map((b) => b.input));
  const stateOutputs = new Set(bindings.map((b) => b.output));

  // 2. Constants.
  const constants = new Map<string, Tensor>();
  for (const [name, c] of Object.entries(card?.constants ?? {})) {
    const inp = inputByName.get(name);
    if (!inp) throw new BindingError(`card constant '${name}' is not an input of the model (inputs: ${inputs.map((v) => v.name).join(', ')})`);
    if (stateInputs.has(name)) throw new BindingError(`'${name}' is both a state input and a constant in the card`);
    const dtype = dtypeOf(inp, 'constant input');
    if (dtype !== c.dtype) throw new BindingError(`card constant '${name}' is ${c.dtype} but the model declares ${dtype}`);
    constants.set(name, constantTensor(name, c));
  }

  // 3. Per-step inputs: everything else the model takes.
  const cardInputs = new Map((card?.inputs ?? []).map((i) => [i.name, i]));
  for (const name of cardInputs.keys()) {
    if (!inputByName.has(name)) throw new BindingError(`card input '${name}' is not an input of the model (inputs: ${inputs.map((v) => v.name).join(', ')})`);
    if (stateInputs.has(name) || constants.has(name)) throw new BindingError(`card input '${name}' is also listed as state or constant`);
  }
  const batchSymbol = bindings.length ? tensorType(inputByName.get(bindings[0]!.input)!)?.shape?.[bindings[0]!.batchAxis] : undefined;
  const stepInputs: StepInputPlan[] = [];
  for (const inp of inputs) {
    if (stateInputs.has(inp.name) || constants.has(inp.name)) continue;
    const ci = cardInputs.get(inp.name);
    const dtype = dtypeOf(inp, 'input');
    const shape = tensorType(inp)?.shape;
    const batchAxis = ci?.batchAxis ?? guessBatchAxis(shape, batchSymbol);
    const context = ci?.context ?? 0;
    let dims: (number | null)[];
    if (ci?.dims) {
      dims = [...ci.dims];
    } else if (shape) {
      dims = shape.map((d, i) => (i === batchAxis ? 1 : isFixed(d) ? d : null));
    } else {
      throw new BindingError(`input '${inp.name}' has no declared shape; give its per-stream dims in a model card`);
    }
    if (batchAxis !== undefined) {
      if (batchAxis >= dims.length || (dims[batchAxis] !== 1 && dims[batchAxis] !== null)) {
        throw new BindingError(`input '${inp.name}': batch axis ${batchAxis} is outside its shape ${shapeText(shape)} or not of size 1`);
      }
      dims[batchAxis] = 1;
    }
    if (ci?.frame !== undefined) {
      const open = dims.map((d, i) => (d === null ? i : -1)).filter((i) => i >= 0);
      const known = sizeOf(dims.filter((d): d is number => d !== null));
      const total = ci.frame + context;
      if (open.length === 1) {
        if (total % known !== 0) throw new BindingError(`input '${inp.name}': frame ${ci.frame} + context ${context} does not fit shape ${shapeText(shape)}`);
        dims[open[0]!] = total / known;
      } else if (open.length === 0 && known !== total) {
        throw new BindingError(`input '${inp.name}': frame ${ci.frame} + context ${context} = ${total} elements, but its shape holds ${known}`);
      } else if (open.length > 1) {
        throw new BindingError(`input '${inp.name}' ${shapeText(shape)} leaves several axes open; give its per-stream dims in the card`);
      }
    }
    if (context > 0 && dims.includes(null)) throw new BindingError(`input '${inp.name}': a context needs a fixed frame; give frame in the card`);
    stepInputs.push({ name: inp.name, dtype, dims, ...(batchAxis !== undefined ? { batchAxis } : {}), context });
  }

  // 4. Outputs and batchability.
  const outputs: OutputPlan[] = [];
  for (const o of model.graph.outputs) {
    if (stateOutputs.has(o.name)) continue;
    const t = tensorType(o);
    const cardAxis = card?.outputs?.[o.name]?.batchAxis;
    const batchAxis = cardAxis ?? (t?.shape ? guessOutputAxis(t.shape, batchSymbol) : undefined);
    outputs.push({
      name: o.name,
      ...(t && isDType(t.elemType) ? { dtype: t.elemType } : {}),
      ...(t?.shape ? { dims: t.shape.map((d) => (isFixed(d) ? d : null)) } : {}),
      ...(batchAxis !== undefined ? { batchAxis } : {}),
    });
  }
  let batchReason = 'every state, input and output has a variable batch axis';
  const fixedState = bindings.find((b) => isFixed(tensorType(inputByName.get(b.input)!)?.shape?.[b.batchAxis]));
  const unbatchedInput = stepInputs.find((s) => s.batchAxis === undefined);
  const fixedInput = stepInputs.find((s) => s.batchAxis !== undefined && isFixed(tensorType(inputByName.get(s.name)!)?.shape?.[s.batchAxis]));
  const unknownOut = outputs.find((o) => o.batchAxis === undefined);
  if (card?.batch === 'fixed') batchReason = 'the model card says batch is fixed';
  else if (fixedState) batchReason = `state '${fixedState.input}' has a fixed batch dimension`;
  else if (unbatchedInput) batchReason = `input '${unbatchedInput.name}' has no batch axis (a constant? name it in the card's constants)`;
  else if (fixedInput) batchReason = `input '${fixedInput.name}' has a fixed batch dimension`;
  else if (unknownOut) batchReason = `the batch axis of output '${unknownOut.name}' is unknown (give it in the card)`;
  const batchable = card?.batch === 'fixed' ? false : !fixedState && !unbatchedInput && !fixedInput && !unknownOut;
  return { bindings, stepInputs, constants, outputs, batchable, batchReason };
}

/** An output's batch axis: where the batch symbol is, else its first open dimension. */
function guessOutputAxis(shape: Dim[], batchSymbol: Dim | undefined): number | undefined {
  if (typeof batchSymbol === 'string') {
    const i = shape.indexOf(batchSymbol);
    if (i >= 0) return i;
  }
  const i = shape.findIndex((d) => !isFixed(d));
  return i >= 0 ? i : undefined;
}
