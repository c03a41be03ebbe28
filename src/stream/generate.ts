import { Observable, type OperatorFunction } from 'rxjs';
import type { FlowOptions, StepTarget } from './flow-options.js';
import { Generator, type GenerateOptions, type GenerateSeed, type GeneratedToken } from './generation-loop.js';
import { SerialPump } from './serial-pump.js';
import { leaseSlot } from './slot-lease.js';

export type { GenerateOptions, GenerateSeed, GeneratedToken } from './generation-loop.js';

/**
 * One-to-many (generation): each seed that arrives starts a generation whose tokens are emitted as they
 * are produced — greedy, or sampled with temperature / top-k / top-p from a random source seeded by
 * `seed`, so the same seed gives the same tokens. A generation ends at a stop token or `maxLength`.
 * Seeds are handled one after another (later ones wait under the backpressure policy).
 *
 * Unsubscribing stops before the next step; every `yieldEvery` steps the loop gives the event loop a turn.
 *
 * @param target a session (a slot per subscription, removed on unsubscribe) or your slot (reset at the
 *   start of each generation, never removed).
 * @param options sampling, stop tokens, maximum length, logits output, token → input mapping.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { generate } from 'rxrnn'; // rxjs has a creation function of that name: alias one if you import both
 * of([BOS]).pipe(generate(session, { temperature: 0.8, topK: 20, seed: 1, stopTokens: [EOS], maxLength: 100 }))
 *   .subscribe((t) => process.stdout.write(vocab[t.token] + ' '));
 * ```
 */
export function generate(
  target: StepTarget,
  options: GenerateOptions & Pick<FlowOptions, 'backpressure' | 'highWaterMark'> = {},
): OperatorFunction<GenerateSeed, GeneratedToken> {
  return (source) =>
    new Observable<GeneratedToken>((subscriber) => {
      const lease = leaseSlot(target);
      let generator: Generator;
      try {
        generator = new Generator(options, lease.session?.info, 'generate');
      } catch (error) {
        lease.release();
        subscriber.error(error);
        return;
      }
      let closed = false;
      let sequence = 0;
      const emit = (t: GeneratedToken): void => subscriber.next(t);
      const isClosed = (): boolean => closed;
      const pump = new SerialPump<GenerateSeed>(
        subscriber,
        options,
        { process: (seed) => generator.run(lease.slot, seed, sequence++, emit, isClosed) },
        'generate',
      );
      const subscription = pump.drainFrom(source);
      return () => {
        closed = true;
        subscription.unsubscribe();
        pump.closeThen(() => lease.release());
      };
    });
}
