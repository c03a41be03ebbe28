/**
 * `rxrnn convert MODEL.json -o OUT.onnx`: a Keras / TensorFlow.js Layers model (model.json with its weight
 * shards beside it) written as ONNX, whole-sequence form by default or the streaming step form with
 * `--step` (state as explicit inputs and outputs, ready for a step session). A starter card is written next
 * to a step model so `rxrnn run` picks its bindings up.
 */
import { writeFile } from 'node:fs/promises';
import { writeModel } from '../../onnx/write.js';
import { starterCard } from '../../session/bindings.js';
import { stringFlag, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../files.js';
import type { CliIo } from '../io.js';
import { loadModelFile } from '../load-model.js';

const spec: CommandSpec = {
  name: 'convert',
  summary: 'Convert a Keras / TensorFlow.js Layers model.json (weight shards beside it) to an ONNX file.',
  args: 'MODEL.json',
  positionals: { min: 1, max: 1 },
  options: {
    output: { type: 'string', short: 'o', value: 'OUT.onnx', description: 'where to write the ONNX model; required' },
    step: { type: 'boolean', description: 'write the streaming step form (state as inputs/outputs) and OUT.card.json' },
  },
  details: 'Example: rxrnn convert model.json -o model.onnx --step && rxrnn run model.onnx --input rows.csv',
};

async function write(path: string, bytes: Uint8Array | string): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (e) {
    throw new CliError(`cannot write '${path}': ${(e as Error).message}`);
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const out = stringFlag(args, 'output');
  if (!out) throw new UsageError('--output OUT.onnx is required');
  const src = args.positionals[0]!;
  if (!src.toLowerCase().endsWith('.json')) throw new UsageError(`expected a Layers model.json, got '${src}'`);
  const { model } = await loadModelFile(src, { layersForm: args.values.step ? 'step' : 'sequence' });
  const bytes = writeModel(model);
  await write(out, bytes);
  let cardPath: string | undefined;
  if (args.values.step) {
    cardPath = out.replace(/\.onnx$/i, '') + '.card.json';
    await write(cardPath, `${JSON.stringify(starterCard(model), null, 2)}\n`);
  }
  if (args.flags.json) {
    io.stdout.write(`${JSON.stringify({ output: out, card: cardPath ?? null, bytes: bytes.length, form: args.values.step ? 'step' : 'sequence' })}\n`);
  } else if (!args.flags.quiet) {
    const ins = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name)).map((v) => v.name);
    io.stdout.write(`wrote ${out} (${bytes.length} bytes, ${args.values.step ? 'step' : 'sequence'} form; inputs ${ins.join(', ')}; outputs ${model.graph.outputs.map((o) => o.name).join(', ')})\n`);
    if (cardPath) io.stdout.write(`wrote ${cardPath} (starter card: check the state bindings)\n`);
  }
  return 0;
}

export const convertCommand: Command = { spec, run };
