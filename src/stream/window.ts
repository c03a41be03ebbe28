import { Observable, type OperatorFunction } from 'rxjs';
import { InputError } from '../errors.js';
import type { StepInput, StepOutputs, StepSessionInfo } from '../session/types.js';
import { tensor, type Tensor } from '../tensor.js';
import type { FlowOptions, StepTarget } from './flow-options.js';
import { findNonFinite } from './non-finite.js';
import { OutputRing, reduceAlongAxis, type WindowReduce } from './reduce-outputs.js';
import { SerialPump } from './serial-pump.js';
import { leaseSlot } from './slot-lease.js';

export type { WindowReduce } from './reduce-outputs.js';

export interface WindowOptions<T> extends FlowOptions {
  /** Items (steps) per window. */
  size: number;
  /** Items between window starts (default `size`: tumbling; less: sliding; more: windows with gaps). */
  hop?: number;
  /** How a window's outputs are combined (default `'last'`). */
  reduce?: WindowReduce;
  /**
   * `'streaming'` (default): a unidirectional model steps every item once, state carried across windows;
   * windows are views over its per-step outputs. `'per-window'`: for bidirectional models, which need the
   * future: each window is one run of the model over its `size` items, from a reset state.
   */
  mode?: 'streaming' | 'per-window';
  /** Streaming mode: item → step input (default: the item). */
  toInput?: (item: T, index: number) => StepInput;
  /**
   * Per-window mode: the window's items → one input. Default: items are frames (`Float32Array` / `number[]`)
   * stacked into the model's one step input, time on its first dynamic axis (ONNX `layout = 0`:
   * `[time, batch = 1, features]`).
   */
  toWindowInput?: (items: readonly T[]) => StepInput;
  /** Per-window mode: the time axis of the outputs, reduced by `reduce` (default 0, ONNX `layout = 0`). */
  timeAxis?: number;
  /** Which outputs to keep (default: the model's non-state outputs; with a bare slot, every output). */
  outputs?: readonly string[];
  /** A window the source ended in the middle of: `'drop'` it (default) or `'emit'` it shorter. */
  partial?: 'drop' | 'emit';
}

export interface WindowResult {
  /** 0, 1, 2, ... */
  index: number;
  /** Index of the window's first item in the source. */
  start: number;
  /** Items in this window (`size`, or fewer for an emitted partial window). */
  length: number;
  /** Reduced outputs by name; copies the caller owns. `all` in streaming mode stacks steps on a new axis 0. */
  outputs: Record<string, Tensor>;
}

/**
 * Per window: outputs over windows of `size` items every `hop` items, reduced by last / mean / max / all.
 *
 * Latency. Streaming mode emits a window as soon as its last item's step finishes: one step of latency.
 * Per-window mode (bidirectional models) emits a window's per-frame outputs once the window's last item has
 * arrived and the whole window has run: the first frame of a window waits for `size - 1` later frames plus
 * a run over `size` frames, and with `hop < size` every frame is computed (and emitted) in `size / hop`
 * windows, so compute grows by that factor.
 *
 * @param target a session (a slot per subscription, removed on unsubscribe) or your slot (left as is).
 * @param options window size, hop, reduction, mode, mapping, backpressure, non-finite policy, metrics.
 *
 * @example
 * ```ts
 * import { window as windowed } from 'rxrnn'; // alias: rxjs has a `window` operator too
 * frames$.pipe(windowed(session, { size: 50, hop: 25, reduce: 'mean' }))
 *   .subscribe((w) => console.log(w.start, w.outputs.y.data));
 * // bidirectional model, per-frame outputs of each 32-frame window:
 * frames$.pipe(windowed(biSession, { size: 32, mode: 'per-window', reduce: 'all' }));
 * ```
 */
export function window<T = StepInput>(target: StepTarget, options: WindowOptions<T>): OperatorFunction<T, WindowResult> {
  const size = options.size;
  const hop = options.hop ?? size;
  const how = options.reduce ?? 'last';
  const mode = options.mode ?? 'streaming';
  const partial = options.partial ?? 'drop';
  if (!Number.isInteger(size) || size < 1) throw new InputError(`window: size must be an integer >= 1, got ${String(size)}`);
  if (!Number.isInteger(hop) || hop < 1) throw new InputError(`window: hop must be an integer >= 1, got ${String(hop)}`);
  if (!['last', 'mean', 'max', 'all'].includes(how)) throw new InputError(`window: reduce must be last, mean, max or all, got ${String(how)}`);
  if (mode !== 'streaming' && mode !== 'per-window') throw new InputError(`window: mode must be 'streaming' or 'per-window', got ${String(mode)}`);
  if (partial !== 'drop' && partial !== 'emit') throw new InputError(`window: partial must be 'drop' or 'emit', got ${String(partial)}`);
  const nonFinite = options.nonFinite ?? 'error';
  const metrics = options.metrics;

  return (source) =>
    new Observable<WindowResult>((subscriber) => {
      const lease = leaseSlot(target);
      const slot = lease.slot;
      const info = lease.session?.info;
      const names = options.outputs ?? info?.outputs.map((o) => o.name);
      let windowIndex = 0;
      let itemIndex = 0;

      const rejectNonFinite = (what: string, bad: string): boolean => {
        if (nonFinite === 'error') {
          throw new InputError(`window: ${what} has a non-finite value (${bad}); the state was not touched. Clean the input, or pass nonFinite: 'skip' or 'reset'.`);
        }
        if (metrics) metrics.nonFinite++;
        if (nonFinite === 'reset') slot.reset();
        return true;
      };
      const timed = async (input: StepInput): Promise<StepOutputs> => {
        const started = metrics ? performance.now() : 0;
        const outputs = await slot.step(input);
        if (metrics) metrics.recordRun(1, performance.now() - started);
        return outputs;
      };

      let handlers: { process(item: T): Promise<void>; flush(): void };
      if (mode === 'streaming') {
        const toInput = options.toInput ?? ((item: T) => item as unknown as StepInput);
        const ring = new OutputRing(size, names);
        let steps = 0;
        handlers = {
          async process(item) {
            const i = itemIndex++;
            const input = toInput(item, i);
            const bad = findNonFinite(input);
            if (bad !== undefined && rejectNonFinite(`item ${i}`, bad)) return;
            ring.push(await timed(input));
            const last = steps++;
            const end = windowIndex * hop + size - 1;
            if (last === end) {
              subscriber.next({ index: windowIndex, start: windowIndex * hop, length: size, outputs: ring.reduce(size, how) });
              windowIndex++;
            }
          },
          flush() {
            const start = windowIndex * hop;
            if (partial === 'emit' && start < steps) {
              subscriber.next({ index: windowIndex, start, length: steps - start, outputs: ring.reduce(steps - start, how) });
            }
          },
        };
      } else {
        const toWindowInput = options.toWindowInput ?? defaultWindowInput<T>(info);
        const timeAxis = options.timeAxis ?? 0;
        let items: T[] = [];
        let skip = 0;
        let firstIndex = 0;
        let uncovered = 0;
        const runWindow = async (count: number): Promise<void> => {
          const input = toWindowInput(items.slice(0, count));
          const bad = findNonFinite(input);
          const index = windowIndex++;
          const start = firstIndex;
          if (bad !== undefined && rejectNonFinite(`window ${index}`, bad)) return;
          // Windows are independent: a bidirectional model sees each from a zero state.
          slot.reset();
          const outputs = await timed(input);
          const reduced: Record<string, Tensor> = {};
          for (const name of names ?? Object.keys(outputs)) {
            const t = outputs[name];
            if (t === undefined) throw new InputError(`window: the model has no output '${name}'; it has ${Object.keys(outputs).join(', ')}`);
            reduced[name] = reduceAlongAxis(name, t, timeAxis, how);
          }
          subscriber.next({ index, start, length: count, outputs: reduced });
        };
        handlers = {
          async process(item) {
            itemIndex++;
            if (skip > 0) {
              skip--;
              firstIndex++;
              return;
            }
            items.push(item);
            uncovered++;
            if (items.length < size) return;
            await runWindow(size);
            uncovered = 0;
            if (hop < size) {
              items = items.slice(hop);
              firstIndex += hop;
            } else {
              items = [];
              skip = hop - size;
              firstIndex += size;
            }
          },
          async flush() {
            if (partial === 'emit' && uncovered > 0 && items.length > 0) await runWindow(items.length);
          },
        } as { process(item: T): Promise<void>; flush(): void };
      }

      const pump = new SerialPump<T>(subscriber, options, handlers, 'window');
      const subscription = pump.drainFrom(source);
      return () => {
        subscription.unsubscribe();
        pump.closeThen(() => lease.release());
      };
    });
}

/** Stacks frames into the model's one step input, time on its first dynamic axis. */
function defaultWindowInput<T>(info: StepSessionInfo | undefined): (items: readonly T[]) => StepInput {
  return (items) => {
    if (info === undefined || info.stepInputs.length !== 1) {
      throw new InputError(
        `window: per-window mode cannot stack frames by itself here (${info === undefined ? 'a bare slot has no model info' : `the model has ${info.stepInputs.length} step inputs`}); pass toWindowInput`,
      );
    }
    const { name, dtype, dims } = info.stepInputs[0]!;
    if (dtype !== 'float32') throw new InputError(`window: step input '${name}' is ${dtype}; per-window stacking handles float32 frames, pass toWindowInput`);
    const timeAxis = dims.indexOf(null);
    if (timeAxis < 0) throw new InputError(`window: step input '${name}' has no dynamic (time) axis ${JSON.stringify(dims)}; pass toWindowInput`);
    const shape = dims.map((d, i) => (i === timeAxis ? items.length : d ?? 1));
    const perFrame = shape.reduce((a, b) => a * b, 1) / Math.max(items.length, 1);
    const data = new Float32Array(perFrame * items.length);
    // Frames are laid out along the time axis: with layout 0 that is simply one after another.
    items.forEach((item, t) => {
      const f = item as unknown as ArrayLike<number>;
      if (f === null || typeof f !== 'object' || f.length !== perFrame) {
        throw new InputError(`window: frame ${t} of the window should hold ${perFrame} values for '${name}' ${JSON.stringify(dims)}, got ${f && typeof f === 'object' ? f.length : typeof f}`);
      }
      data.set(f, t * perFrame);
    });
    if (shape.slice(0, timeAxis).some((d) => d !== 1)) {
      throw new InputError(`window: the time axis of '${name}' ${JSON.stringify(dims)} is not outermost; pass toWindowInput`);
    }
    return { [name]: tensor('float32', shape, data) };
  };
}
