/**
 * The `rxrnn` command: dispatches to one module per command (loaded on demand, so `rxrnn --help` is instant
 * and a command's heavy dependencies load only when it runs), turns every failure into one line on stderr
 * and an exit status: 0 success, 1 failure, 2 bad usage.
 */
import pkg from '../../package.json' with { type: 'json' };
import { helpText, parseCommandArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report-error.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  vad: { summary: 'find the speech in a recording (Silero VAD v5)', load: async () => (await import('./commands/vad.js')).vadCommand },
  run: { summary: 'stream rows or audio frames through a step session, one JSON line per step', load: async () => (await import('./commands/run.js')).runCommand },
  predict: { summary: 'one whole run of a model on inputs from a JSON file', load: async () => (await import('./commands/predict.js')).predictCommand },
  generate: { summary: 'generate text token by token from a prompt', load: async () => (await import('./commands/generate.js')).generateCommand },
  info: { summary: "a model's inputs, outputs, opsets, operators and what the built-in executor lacks", load: async () => (await import('./commands/info.js')).infoCommand },
  conformance: { summary: 'run ONNX node test cases (model.onnx + test_data_set_*) on a backend', load: async () => (await import('./commands/conformance.js')).conformanceCommand },
  convert: { summary: 'convert a Keras / TensorFlow.js Layers model.json to ONNX', load: async () => (await import('./commands/convert.js')).convertCommand },
};

const VERSION: string = pkg.version;

function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    'Usage: rxrnn <command> [options]',
    '',
    'Streaming inference for recurrent models (RNN/LSTM/GRU) on onnxruntime or a built-in executor.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}${c.summary}`),
    '',
    "Run 'rxrnn <command> --help' for a command's options. Try: rxrnn vad examples/data/speech.wav",
    '',
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit status.
 *
 * @example
 * ```ts
 * const status = await runCli(['vad', 'speech.wav', '--json']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) return runCli([topic, '--help'], io);
    (name === undefined ? io.stderr : io.stdout).write(generalHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  if (!entry) {
    return reportError(
      new UsageError(`unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(', ')}`),
      '',
      io,
      verbose,
    );
  }
  try {
    const command = await entry.load();
    const args = parseCommandArgs(command.spec, rest);
    if (args.flags.help) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    return reportError(e, name, io, verbose);
  }
}

// Run when executed directly (tsx src/cli/main.ts, or dist/cli.js through bin/rxrnn.mjs).
const invokedDirectly = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  return /(?:^|[\\/])(?:main\.ts|cli\.js|cli\.cjs)$/.test(entry);
})();

if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
      // A producer still holding our stdin open (tail -f) must not keep a finished command alive.
      process.stdin.destroy();
    },
    (e: unknown) => {
      process.stderr.write(`rxrnn: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
