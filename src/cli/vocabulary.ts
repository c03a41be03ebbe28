/**
 * Text ↔ token ids through a card's `vocabulary`: character-level when every entry is one character,
 * word-level (split on whitespace, lower-cased when the vocabulary is) otherwise. A word the vocabulary
 * lacks maps to its unknown token (`<unk>`, `[UNK]`, `<oov>`) if it has one, else it is an error naming it.
 */
import { InputError } from '../errors.js';

const UNKNOWN = ['<unk>', '[UNK]', '<oov>', '[OOV]', '<UNK>'];
const STOPS = ['<eos>', '</s>', '<|endoftext|>', '<end>', '[SEP]', '<EOS>'];

export interface Vocabulary {
  level: 'char' | 'word';
  encode(text: string): number[];
  decode(token: number): string;
  /** Ids of end-of-sequence tokens present in the vocabulary. */
  stops: number[];
  /** What goes between decoded tokens when printing. */
  separator: string;
}

export function vocabulary(tokens: readonly string[]): Vocabulary {
  if (tokens.length === 0) throw new InputError('the model card has an empty vocabulary');
  const index = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (!index.has(t)) index.set(t, i);
  });
  const char = tokens.every((t) => [...t].length <= 1);
  const lower = !char && tokens.every((t) => t === t.toLowerCase() || /^[<[]/.test(t));
  const unk = UNKNOWN.map((u) => index.get(u)).find((i) => i !== undefined);
  const lookup = (piece: string): number => {
    const id = index.get(piece);
    if (id !== undefined) return id;
    if (unk !== undefined) return unk;
    throw new InputError(`the vocabulary has no token ${JSON.stringify(piece)} and no unknown token to stand in for it`);
  };
  return {
    level: char ? 'char' : 'word',
    encode(text) {
      if (char) return [...text].map(lookup);
      const words = (lower ? text.toLowerCase() : text).split(/\s+/).filter(Boolean);
      // Keep punctuation the vocabulary knows as separate tokens ("dog." → "dog", ".").
      const pieces = words.flatMap((w) => (index.has(w) ? [w] : w.split(/(?=[.,!?;:])|(?<=[.,!?;:])/).filter(Boolean)));
      return pieces.map(lookup);
    },
    decode(token) {
      const t = tokens[token];
      if (t === undefined) throw new InputError(`the model produced token ${token}, outside its ${tokens.length}-token vocabulary`);
      return t;
    },
    stops: STOPS.map((s) => index.get(s)).filter((i): i is number => i !== undefined),
    separator: char ? '' : ' ',
  };
}
