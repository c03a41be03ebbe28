/**
 * Decodes the weights of a Layers model (the `weightsManifest` of model.json, or the flat `weightSpecs` of
 * in-memory artifacts) into float32 arrays, and finds each layer's weights by name.
 *
 * Names differ by writer: TensorFlow.js writes `lstm/kernel`, `bidirectional/forward_lstm/kernel`;
 * `tensorflowjs_converter` writes `lstm/lstm_cell/kernel` (sometimes with a `:0` suffix or a model-name
 * prefix). A weight is therefore found by the path segment equal to the layer's name, the direction
 * segment (`forward_*` / `backward_*`) for Bidirectional, and the last segment (`kernel`, `bias`, ...).
 */
import { ImportError } from '../errors.js';

/** Where the bytes come from: one buffer holding every shard in manifest order, or a reader per shard path. */
export type WeightSource = ArrayBuffer | Uint8Array | ((path: string) => Uint8Array);

export interface WeightEntry {
  /** The full name as saved, without a `:0` suffix. */
  name: string;
  dims: number[];
  data: Float32Array;
}

interface Spec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readSpec(v: unknown, where: string): Spec {
  if (!isObject(v) || typeof v['name'] !== 'string' || !Array.isArray(v['shape'])) {
    throw new ImportError(`weights: ${where} must be { name, shape, dtype }, got ${JSON.stringify(v)}`);
  }
  const spec: Spec = { name: v['name'], shape: v['shape'] as number[] };
  if (typeof v['dtype'] === 'string') spec.dtype = v['dtype'];
  if (isObject(v['quantization'])) spec.quantization = v['quantization'] as Spec['quantization'] & object;
  return spec;
}

function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Bytes one weight occupies in the shard data. */
function byteSize(spec: Spec): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype ?? 'float32';
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4 * n;
    case 'uint16':
    case 'float16':
      return 2 * n;
    case 'uint8':
    case 'bool':
      return n;
    default:
      throw new ImportError(`weights: '${spec.name}' has dtype '${dtype}', which the importer does not read (float32, int32, bool, or uint8/uint16/float16 quantized)`);
  }
}

function decode(spec: Spec, bytes: Uint8Array): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = spec.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(2 * i, true));
      return out;
    }
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < n; i++) out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * scale + min;
    return out;
  }
  const dtype = spec.dtype ?? 'float32';
  for (let i = 0; i < n; i++) {
    out[i] = dtype === 'float32' ? view.getFloat32(4 * i, true) : dtype === 'int32' ? view.getInt32(4 * i, true) : view.getUint8(i);
  }
  return out;
}

function asBytes(b: ArrayBuffer | Uint8Array): Uint8Array {
  return b instanceof Uint8Array ? b : new Uint8Array(b);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/**
 * Reads every weight. `manifest` is model.json's `weightsManifest` (groups of `{ paths, weights }`) or a
 * flat `weightSpecs` list; `source` gives the bytes.
 */
export function readWeights(manifest: unknown, source: WeightSource): WeightEntry[] {
  if (!Array.isArray(manifest)) throw new ImportError(`weights: expected a weightsManifest or weightSpecs array, got ${typeof manifest}`);
  const groups: { paths: string[]; specs: Spec[] }[] = [];
  if (manifest.length > 0 && isObject(manifest[0]) && 'weights' in manifest[0]) {
    manifest.forEach((g, gi) => {
      if (!isObject(g) || !Array.isArray(g['weights'])) throw new ImportError(`weights: manifest group ${gi} has no weights list`);
      const paths = Array.isArray(g['paths']) ? (g['paths'] as string[]) : [];
      groups.push({ paths, specs: (g['weights'] as unknown[]).map((w, i) => readSpec(w, `group ${gi} weight ${i}`)) });
    });
  } else {
    groups.push({ paths: [], specs: manifest.map((w, i) => readSpec(w, `weight ${i}`)) });
  }

  const entries: WeightEntry[] = [];
  const whole = typeof source === 'function' ? undefined : asBytes(source);
  let wholeOffset = 0;
  for (const g of groups) {
    let data: Uint8Array;
    let offset = 0;
    if (typeof source === 'function') {
      if (g.paths.length === 0) throw new ImportError('weights: a reader function needs a weightsManifest with shard paths; pass the weight bytes instead');
      data = concat(g.paths.map((p) => asBytes(source(p))));
    } else {
      data = whole!;
      offset = wholeOffset;
    }
    for (const spec of g.specs) {
      const size = byteSize(spec);
      if (offset + size > data.byteLength) {
        throw new ImportError(`weights: '${spec.name}' needs bytes ${offset}..${offset + size} but the weight data has ${data.byteLength} bytes`);
      }
      entries.push({ name: spec.name.replace(/:\d+$/, ''), dims: [...spec.shape], data: decode(spec, data.subarray(offset, offset + size)) });
      offset += size;
    }
    if (typeof source === 'function') {
      if (offset !== data.byteLength) throw new ImportError(`weights: shards [${g.paths.join(', ')}] hold ${data.byteLength} bytes, the manifest describes ${offset}`);
    } else {
      wholeOffset = offset;
    }
  }
  if (whole && wholeOffset !== whole.byteLength) {
    throw new ImportError(`weights: the weight data holds ${whole.byteLength} bytes, the manifest describes ${wholeOffset}`);
  }
  return entries;
}

/** Finds weights by layer name, direction and kind. */
export class WeightStore {
  constructor(private readonly entries: readonly WeightEntry[]) {}

  /**
   * The weight `kind` (`kernel`, `recurrent_kernel`, `bias`, `embeddings`) of layer `layer`; `direction`
   * picks the half of a Bidirectional wrapper. Throws naming the layer when it is absent or ambiguous.
   */
  get(layer: string, className: string, kind: string, direction?: 'forward' | 'backward'): WeightEntry {
    const found = this.find(layer, kind, direction);
    if (found.length === 1) return found[0]!;
    const what = `${direction ? `${direction} ` : ''}'${kind}'`;
    if (found.length === 0) {
      throw new ImportError(`layer '${layer}' (${className}): weight ${what} not found among [${this.entries.map((e) => e.name).join(', ')}]`);
    }
    throw new ImportError(`layer '${layer}' (${className}): weight ${what} is ambiguous: [${found.map((e) => e.name).join(', ')}]`);
  }

  /** Like {@link get} but undefined when the layer has no such weight. */
  maybe(layer: string, className: string, kind: string, direction?: 'forward' | 'backward'): WeightEntry | undefined {
    return this.find(layer, kind, direction).length === 0 ? undefined : this.get(layer, className, kind, direction);
  }

  private find(layer: string, kind: string, direction?: 'forward' | 'backward'): WeightEntry[] {
    return this.entries.filter((e) => {
      const segs = e.name.split('/');
      const at = segs.indexOf(layer);
      if (at < 0 || segs[segs.length - 1] !== kind) return false;
      const inner = segs.slice(at + 1, -1);
      const dirSeg = inner.find((s) => s.startsWith('forward_') || s.startsWith('backward_'));
      if (direction === undefined) return dirSeg === undefined;
      return dirSeg !== undefined && dirSeg.startsWith(`${direction}_`);
    });
  }
}
