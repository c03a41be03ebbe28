/**
 * Parsing `rxrnn run`'s input lines: CSV (numbers separated by commas; a first line that is not numeric is
 * a header and skipped) or JSON lines (an array of numbers, or an object of values by input name). A line
 * that is neither is an error naming the line number, never a silent skip.
 */
import { InputError } from '../errors.js';
import type { StepInput } from '../session/types.js';
import { flattenNested } from './json-tensors.js';

export type RowFormat = 'csv' | 'jsonl' | 'auto';

function csvRow(line: string, lineNo: number): number[] {
  const cells = line.split(',');
  const out = new Array<number>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!.trim();
    const v = c === '' ? NaN : Number(c);
    if (Number.isNaN(v) && c.toLowerCase() !== 'nan') {
      throw new InputError(`line ${lineNo}: column ${i + 1} is ${JSON.stringify(c)}, not a number`);
    }
    out[i] = v;
  }
  return out;
}

function jsonRow(line: string, lineNo: number): StepInput {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new InputError(`line ${lineNo}: not valid JSON (${(e as Error).message})`);
  }
  const numbers = (x: unknown, where: string): number[] => {
    const flat = flattenNested(x, `line ${lineNo}${where}`).values;
    flat.forEach((n, i) => {
      if (typeof n !== 'number') throw new InputError(`line ${lineNo}${where}: element ${i} is ${JSON.stringify(n)}, not a number`);
    });
    return flat as number[];
  };
  if (Array.isArray(v)) return numbers(v, '');
  if (typeof v === 'object' && v !== null) {
    const feeds: Record<string, number[]> = {};
    for (const [k, x] of Object.entries(v)) feeds[k] = numbers(x, ` input '${k}'`);
    return feeds;
  }
  throw new InputError(`line ${lineNo}: expected a JSON array or object, got ${JSON.stringify(v)}`);
}

/**
 * A stateful line parser: returns the step input of a line, or undefined for a blank line or a CSV header.
 *
 * @example
 * ```ts
 * const parse = rowParser('auto');
 * parse('a,b'); // undefined (header)
 * parse('1,2'); // [1, 2]
 * ```
 */
export function rowParser(format: RowFormat): (line: string) => StepInput | undefined {
  let lineNo = 0;
  let seenData = false;
  return (raw) => {
    lineNo++;
    const line = raw.trim();
    if (line === '') return undefined;
    const json = format === 'jsonl' || (format === 'auto' && (line.startsWith('[') || line.startsWith('{')));
    if (json) {
      seenData = true;
      return jsonRow(line, lineNo);
    }
    try {
      const row = csvRow(line, lineNo);
      seenData = true;
      return row;
    } catch (e) {
      // Only the first non-blank line may be a header (column names).
      if (!seenData) {
        seenData = true;
        return undefined;
      }
      throw e;
    }
  };
}
