/**
 * `rxrnn predict MODEL --input FILE.json`: one whole run of any model (ONNX or a Layers model.json) on a
 * backend, outputs in the model's output order. With `--json`: `{"outputs": [{"name", "dims", "data"}]}`.
 */
import { loadEngine } from '../../backends/index.js';
import type { Tensor } from '../../tensor.js';
import { stringFlag, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError, readAll, readInputFile } from '../files.js';
import type { CliIo } from '../io.js';
import { parseFeeds, tensorJson } from '../json-tensors.js';
import { loadModelFile } from '../load-model.js';

const spec: CommandSpec = {
  name: 'predict',
  summary: 'Run a model once on inputs from a JSON file. MODEL is an ONNX file or a Layers model.json.',
  args: 'MODEL',
  positionals: { min: 1, max: 1 },
  backend: true,
  options: {
    input: { type: 'string', short: 'i', value: 'FILE.json', description: 'the inputs (- for standard input); required' },
  },
  details:
    'Input JSON: {"name": {"dims": [1, 3], "data": [0.1, 0.2, 0.3], "dtype": "float32"}, ...}; dtype defaults\n' +
    "to the model's declared type and dims to the nesting of data. A model with one input also takes a bare\n" +
    '(nested) array. --json prints {"outputs": [{"name", "dtype", "dims", "data"}]} in the model\'s output order.',
};

const PREVIEW = 8;

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const inputPath = stringFlag(args, 'input');
  if (!inputPath) throw new UsageError('--input FILE.json is required');
  const modelPath = args.positionals[0]!;
  const { model } = await loadModelFile(modelPath);
  const bytes = inputPath === '-' ? await readAll(io.stdin) : await readInputFile(inputPath, 'input file');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CliError(`'${inputPath}' is not valid JSON: ${(e as Error).message}`);
  }
  const fed = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  const feeds = parseFeeds(json, fed);
  const { engine, backend } = await loadEngine(model, { backend: args.flags.backend });
  let outputs: Record<string, Tensor>;
  try {
    outputs = await engine.run(feeds);
  } finally {
    await engine.dispose().catch(() => undefined);
  }
  const ordered = model.graph.outputs.filter((o) => outputs[o.name]).map((o) => tensorJson(o.name, outputs[o.name]!));
  if (args.flags.json) {
    io.stdout.write(`${JSON.stringify({ outputs: ordered })}\n`);
    return 0;
  }
  if (!args.flags.quiet) io.stdout.write(`${modelPath} on ${backend}:\n`);
  for (const o of ordered) {
    const shown = o.data.slice(0, PREVIEW).map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : String(v)));
    const more = o.data.length > PREVIEW ? `, … (${o.data.length} values)` : '';
    io.stdout.write(`${o.name} ${o.dtype} [${o.dims.join(', ')}]: ${shown.join(', ')}${more}\n`);
  }
  return 0;
}

export const predictCommand: Command = { spec, run };
