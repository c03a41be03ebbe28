/**
 * `auto`: the best backend that works here, and why it was chosen. In Node: ort-node where its native
 * binary loads, else ort-web, else builtin. In a browser: ort-web, else builtin. A backend that is
 * available but cannot load this particular model (an operator it lacks) is skipped the same way, and
 * the reason names every backend that was passed over.
 */
import { BackendError } from '../errors.js';
import type { Backend, BackendName, Engine, EngineOptions, ModelSource } from './backend.js';
import { isNodeRuntime } from './model-source.js';

/**
 * The order `auto` tries backends in on this runtime.
 *
 * @example
 * ```ts
 * import { autoOrder } from 'rxrnn';
 * autoOrder(); // ['ort-node', 'ort-web', 'builtin'] in Node, ['ort-web', 'builtin'] in a browser
 * ```
 */
export function autoOrder(): BackendName[] {
  return isNodeRuntime() ? ['ort-node', 'ort-web', 'builtin'] : ['ort-web', 'builtin'];
}

/** An engine and the reason its backend was picked. */
export interface PickedEngine {
  engine: Engine;
  backend: BackendName;
  reason: string;
}

/**
 * Loads `source` on the first backend in `order` that is available and accepts the model.
 * Fails with a BackendError listing every backend's reason when none does.
 */
export async function loadAuto(
  source: ModelSource,
  options: EngineOptions | undefined,
  getBackend: (name: BackendName) => Backend,
  order: readonly BackendName[] = autoOrder(),
): Promise<PickedEngine> {
  const skipped: string[] = [];
  for (const name of order) {
    const backend = getBackend(name);
    const avail = await backend.available();
    if (!avail.ok) {
      skipped.push(`${name}: ${avail.reason}`);
      continue;
    }
    try {
      const engine = await backend.load(source, options);
      const why = skipped.length ? ` (skipped ${skipped.join('; ')})` : '';
      return { engine, backend: name, reason: `auto picked ${name}: ${avail.reason}${why}` };
    } catch (e) {
      if (!(e instanceof BackendError)) throw e;
      skipped.push(`${name}: ${e.message}`);
    }
  }
  throw new BackendError('auto', `no backend can run this model here: ${skipped.join('; ')}`);
}
