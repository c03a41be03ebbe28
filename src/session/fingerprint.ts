/**
 * A model's fingerprint: SHA-256 over its interface (input/output names, element types, shapes) and its
 * weights (every initializer's name, type, shape and bytes). A snapshot carries it, so state from one
 * model is never restored into another. Computed from IR, so the same model read from bytes, a path or
 * built in memory has the same fingerprint on every backend.
 */
import type { Dim, Model, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../tensor.js';

const encoder = new TextEncoder();

function dimText(d: Dim): string {
  return typeof d === 'number' ? String(d) : '?';
}

function valueText(v: ValueInfo): string {
  const t = v.type;
  if (!t || t.kind !== 'tensor') return `${v.name}:${t?.kind ?? 'untyped'}`;
  return `${v.name}:${t.elemType}[${t.shape ? t.shape.map(dimText).join(',') : '*'}]`;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('fingerprint: this runtime has no WebCrypto (crypto.subtle)');
  return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** `sha256:<hex>` of the model's interface and weights. */
export async function modelFingerprint(model: Model): Promise<string> {
  const g = model.graph;
  const inits = [...g.initializers.keys()].sort();
  const inputs = g.inputs.filter((v) => !g.initializers.has(v.name));
  const head = `inputs ${inputs.map(valueText).join(' ')}\noutputs ${g.outputs.map(valueText).join(' ')}\n`;
  // Each initializer is hashed on its own and the digests hashed together: no full copy of the weights.
  const parts: Uint8Array[] = [encoder.encode(head)];
  for (const name of inits) {
    const t = g.initializers.get(name)!;
    parts.push(encoder.encode(`${name}:${t.dtype}[${t.dims.join(',')}]`));
    parts.push(await sha256(tensorBytes(t)));
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return `sha256:${hex(await sha256(all))}`;
}
