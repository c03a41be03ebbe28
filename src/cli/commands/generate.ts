/**
 * `rxrnn generate MODEL --prompt TEXT`: feeds the prompt through a step session and prints the tokens the
 * `generate` operator produces, each as soon as it is produced. The vocabulary comes from the model card
 * (`vocabulary`); sampling is greedy or temperature / top-k / top-p with a seed, so a run repeats exactly.
 */
import { lastValueFrom, of, tap } from 'rxjs';
import { BindingError } from '../../errors.js';
import { createStepSession } from '../../session/step-session.js';
import { generate } from '../../stream/generate.js';
import { numberFlag, stringFlag, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError, findModelCard } from '../files.js';
import type { CliIo } from '../io.js';
import { loadModelFile } from '../load-model.js';
import { vocabulary } from '../vocabulary.js';

const spec: CommandSpec = {
  name: 'generate',
  summary: 'Generate text from a prompt, printing tokens as they are produced. MODEL is ONNX or a Layers model.json\n' +
    'with a card (MODEL.card.json or model.card.json beside it, or --card) that holds the vocabulary.',
  args: 'MODEL',
  positionals: { min: 1, max: 1 },
  backend: true,
  options: {
    prompt: { type: 'string', short: 'p', value: 'TEXT', description: 'the text to continue; required' },
    'max-tokens': { type: 'string', value: 'N', description: 'most tokens to generate', defaultText: '20' },
    temperature: { type: 'string', value: 'T', description: '0 = greedy; higher = more varied', defaultText: '0' },
    'top-k': { type: 'string', value: 'K', description: 'sample among the K most probable tokens' },
    'top-p': { type: 'string', value: 'P', description: 'sample among the most probable tokens summing to P' },
    seed: { type: 'string', value: 'S', description: 'random seed for sampling', defaultText: '0' },
    card: { type: 'string', value: 'CARD.json', description: 'model card with the vocabulary' },
  },
  details: 'Example: rxrnn generate models/next-word/model.onnx --prompt "the quick brown" --max-tokens 8',
};

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const prompt = stringFlag(args, 'prompt');
  if (prompt === undefined) throw new UsageError('--prompt TEXT is required');
  const maxLength = numberFlag(args, 'max-tokens', 20, { min: 1, integer: true });
  const temperature = numberFlag(args, 'temperature', 0, { min: 0 });
  const topK = numberFlag(args, 'top-k', 0, { min: 0, integer: true });
  const topP = numberFlag(args, 'top-p', 1, { min: 1e-9, max: 1 });
  const seed = numberFlag(args, 'seed', 0, { integer: true });
  const modelPath = args.positionals[0]!;
  // A Layers model.json is imported in its streaming form: state as explicit inputs and outputs.
  const { model } = await loadModelFile(modelPath, { layersForm: 'step' });
  const { card, looked } = findModelCard(modelPath, stringFlag(args, 'card'), true);
  if (card === undefined) {
    throw new CliError(`no model card found for '${modelPath}' (looked for ${looked.join(', ')}); pass --card with a "vocabulary"`);
  }
  if (!card.vocabulary?.length) throw new BindingError(`the model card of '${modelPath}' has no "vocabulary" to turn text into tokens`);
  const vocab = vocabulary(card.vocabulary);
  const tokens = vocab.encode(prompt);
  if (tokens.length === 0) throw new UsageError('--prompt is empty');
  const session = await createStepSession(model, { backend: args.flags.backend, card });
  // A float input of one value per step takes the token id as a number (Keras Embedding inputs are float
  // ids); other inputs get the operator's default (an integer id, or one-hot over the vocabulary).
  const only = session.info.stepInputs.length === 1 ? session.info.stepInputs[0]! : undefined;
  const perStep = only ? only.dims.reduce<number>((n, d) => n * (d ?? 1), 1) : 0;
  const idAsFloat = only && only.dtype === 'float32' && perStep === 1 ? only.name : undefined;
  let count = 0;
  try {
    if (!args.flags.quiet && !args.flags.json) io.stdout.write(prompt.trimEnd());
    await lastValueFrom(
      of(tokens).pipe(
        generate(session, {
          maxLength,
          temperature,
          ...(topK ? { topK } : {}),
          topP,
          seed,
          stopTokens: vocab.stops,
          strategy: temperature === 0 ? 'greedy' : 'sample',
          ...(idAsFloat ? { toInput: (token: number) => ({ [idAsFloat]: [token] }) } : {}),
        }),
        tap((t) => {
          count++;
          const text = vocab.decode(t.token);
          if (args.flags.json) io.stdout.write(`${JSON.stringify({ position: t.position, token: t.token, text })}\n`);
          else io.stdout.write(`${vocab.separator}${text}`);
        }),
      ),
      { defaultValue: undefined },
    );
  } finally {
    await session.dispose();
  }
  if (!args.flags.json) io.stdout.write('\n');
  if (args.flags.verbose) io.stderr.write(`${count} token(s) on ${session.info.backend}\n`);
  return 0;
}

export const generateCommand: Command = { spec, run };
