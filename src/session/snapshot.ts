/**
 * Snapshots of one stream: its state tensors (and carried input context) as JSON-safe base64, tagged with
 * the model's fingerprint. Decoding checks everything before anything is written, so a refused snapshot
 * leaves the slot as it was.
 */
import { SnapshotError } from '../errors.js';
import type { Tensor, TypedArray } from '../tensor.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import type { Snapshot } from './types.js';

type Entries = Snapshot['state'];

function encodeAll(tensors: ReadonlyMap<string, Tensor>): Entries {
  const out: Entries = {};
  for (const [name, t] of tensors) out[name] = { dtype: t.dtype, dims: [...t.dims], data: encodeBase64(t.data) };
  return out;
}

/** A snapshot of `state` (and `context`, when the model card carries one) for the model `fingerprint`. */
export function encodeSnapshot(fingerprint: string, state: ReadonlyMap<string, Tensor>, context: ReadonlyMap<string, Tensor>): Snapshot {
  const snap: Snapshot = { format: 'rxrnn-snapshot', version: 1, model: fingerprint, state: encodeAll(state) };
  if (context.size) snap.context = encodeAll(context);
  return snap;
}

/** Like tensor.ts's sameDims, but `a` comes from untrusted JSON and may be anything. */
function sameDims(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Decodes `entries` for exactly the tensors in `into` (same names, dtypes and dims). */
function decodeAll(what: string, entries: Entries | undefined, into: ReadonlyMap<string, Tensor>): Map<string, TypedArray> {
  const want = [...into.keys()];
  const got = Object.keys(entries ?? {});
  if (got.length !== want.length || got.some((g) => !into.has(g))) {
    throw new SnapshotError(`snapshot ${what} holds ${got.join(', ') || 'nothing'}; this model's ${what} is ${want.join(', ') || 'nothing'}`);
  }
  const decoded = new Map<string, TypedArray>();
  for (const [name, t] of into) {
    const e = entries![name]!;
    if (e.dtype !== t.dtype || !sameDims(e.dims, t.dims)) {
      throw new SnapshotError(`snapshot ${what} '${name}' is ${e.dtype} [${e.dims?.join(', ')}], expected ${t.dtype} [${t.dims.join(', ')}]`);
    }
    const data = decodeBase64(e.data, t.dtype, t.data.length);
    if (!data) throw new SnapshotError(`snapshot ${what} '${name}' is not ${t.data.length} base64-encoded ${t.dtype} values`);
    decoded.set(name, data);
  }
  return decoded;
}

/**
 * Checks `snapshot` against the model `fingerprint` and the shapes of `state` and `context`, and decodes
 * it. Throws SnapshotError (another model, another format, damaged data) without writing anything.
 */
export function decodeSnapshot(
  snapshot: unknown,
  fingerprint: string,
  state: ReadonlyMap<string, Tensor>,
  context: ReadonlyMap<string, Tensor>,
): { state: Map<string, TypedArray>; context: Map<string, TypedArray> } {
  const s = snapshot as Partial<Snapshot> | null;
  if (!s || typeof s !== 'object' || s.format !== 'rxrnn-snapshot' || s.version !== 1) {
    throw new SnapshotError(`not an rxrnn snapshot (expected format 'rxrnn-snapshot' version 1, got ${JSON.stringify({ format: s?.format, version: s?.version })})`);
  }
  if (s.model !== fingerprint) {
    throw new SnapshotError(`the snapshot was taken on another model (${String(s.model)}); this session runs ${fingerprint}`);
  }
  return { state: decodeAll('state', s.state, state), context: decodeAll('context', s.context, context) };
}
