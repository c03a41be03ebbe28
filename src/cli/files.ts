/**
 * Reading the files a command is given, with one-line messages for the usual ways that goes wrong (a
 * missing file, a directory, no permission) instead of a Node stack trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { BindingError } from '../errors.js';
import type { ModelCard } from '../session/card.js';

/** A failure the user can fix, reported as one line with exit status 1. */
export class CliError extends Error {
  override name = 'CliError';
}

function explain(path: string, what: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
        : code === 'EISDIR' ? 'it is a directory, not a file'
          : (e as Error).message;
  return new CliError(`cannot read ${what} '${path}': ${reason}`);
}

/** Reads a whole file as bytes. */
export async function readInputFile(path: string, what: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw explain(path, what, e);
  }
}

/** Checks that a path exists and is a file, before handing it to a loader with less helpful errors. */
export async function requireFile(path: string, what: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
  } catch (e) {
    throw explain(path, what, e);
  }
}

/** Reads all of stdin (for `-`). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? new TextEncoder().encode(c) : (c as Uint8Array));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * The model card for `modelPath`: `explicit` when given (it must be readable), else the first existing of
 * `MODEL.card.json` and, with `folderCards`, `model.card.json` / `card.json` in the model's folder. `card`
 * is undefined when none exists; `looked` lists where it looked, for the caller's message.
 */
export function findModelCard(
  modelPath: string,
  explicit: string | undefined,
  folderCards = false,
): { card: ModelCard | undefined; looked: string[] } {
  const dir = modelPath.replace(/[^/\\]*$/, '');
  const beside = modelPath.replace(/\.(onnx|json)$/i, '') + '.card.json';
  const looked = explicit ? [explicit] : folderCards ? [beside, `${dir}model.card.json`, `${dir}card.json`] : [beside];
  for (const p of looked) {
    if (!explicit && !existsSync(p)) continue;
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      throw explain(p, 'card', e);
    }
    try {
      return { card: JSON.parse(text) as ModelCard, looked };
    } catch (e) {
      throw new BindingError(`card '${p}' is not valid JSON: ${(e as Error).message}`);
    }
  }
  return { card: undefined, looked };
}
