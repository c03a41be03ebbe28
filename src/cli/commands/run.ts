/**
 * `rxrnn run MODEL --input FILE|-`: rows (CSV or JSON lines) or audio frames (a WAV file) streamed through a
 * step session with the `step` (or `window`) operator, one JSON line out per step (or per window), flushed as
 * it is made. Standard input is read line by line as it arrives, so a never-ending producer works
 * (`tail -f sensor.csv | rxrnn run model.onnx --input -`), and the reader waits for inference to catch up
 * instead of buffering without bound or dropping rows.
 */
import { createReadStream } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { map, Subject, type Observable } from 'rxjs';
import { downmix } from '../../audio/downmix.js';
import { resample } from '../../audio/resample.js';
import { decodeWav } from '../../audio/wav.js';
import { AudioFormatError } from '../../errors.js';
import { createStepSession } from '../../session/step-session.js';
import type { StepInput, StepOutputs } from '../../session/types.js';
import { step } from '../../stream/step.js';
import { window as windowed, type WindowReduce } from '../../stream/window.js';
import type { Tensor } from '../../tensor.js';
import { numberFlag, stringFlag, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError, findModelCard, readAll, readInputFile, requireFile } from '../files.js';
import type { CliIo } from '../io.js';
import { tensorValues } from '../json-tensors.js';
import { loadModelFile } from '../load-model.js';
import { ReadAhead } from '../read-ahead.js';
import { rowParser, type RowFormat } from '../rows.js';

const spec: CommandSpec = {
  name: 'run',
  summary:
    'Stream rows or audio frames through a step session (state carried from step to step) and print one JSON\n' +
    'line per step, or per window with --window N. MODEL is an ONNX file or a Layers model.json.',
  args: 'MODEL',
  positionals: { min: 1, max: 1 },
  backend: true,
  options: {
    input: { type: 'string', short: 'i', value: 'FILE|-', description: 'rows (.csv, .jsonl) or audio (.wav); - reads standard input as it arrives; required' },
    format: { type: 'string', value: 'FMT', description: 'csv, jsonl, wav or auto (by extension; per line on stdin)', defaultText: 'auto' },
    card: { type: 'string', value: 'CARD.json', description: 'model card (default: MODEL.card.json beside the model, if any)' },
    window: { type: 'string', value: 'N', description: 'emit one line per window of N steps' },
    hop: { type: 'string', value: 'M', description: 'steps between window starts', defaultText: 'N' },
    reduce: { type: 'string', value: 'HOW', description: "window outputs: last, mean, max or all", defaultText: 'last' },
    frame: { type: 'string', value: 'SAMPLES', description: "audio samples per step (default: the card's input frame)" },
    outputs: { type: 'string', value: 'A,B', description: 'only these outputs (default: every non-state output)' },
  },
  details:
    'Rows: CSV numbers per line (a first non-numeric line is a header), or JSON lines: [1, 2, 3] or\n' +
    '{"x": [...], "other_input": [...]}. Output lines: {"step": 0, "outputs": {"y": [...]}} or\n' +
    '{"window": 0, "start": 0, "length": N, "outputs": {...}}.\n\n' +
    'Example: tail -f readings.csv | rxrnn run model.onnx --input - --window 50 --hop 25 --reduce mean',
};

/** Most rows read ahead of the step in flight: enough to keep inference busy, bounded so memory is too. */
const READ_AHEAD = 64;

function outputsJson(outputs: StepOutputs | Record<string, Tensor>, keep: Set<string> | undefined, stateOutputs: Set<string>) {
  const o: Record<string, (number | string | boolean)[]> = {};
  for (const [k, t] of Object.entries(outputs)) {
    if (keep ? keep.has(k) : !stateOutputs.has(k)) o[k] = tensorValues(t);
  }
  return o;
}

/** Lines of a file or of stdin, pulled one at a time; `close()` ends the iteration early. */
function lines(path: string, io: CliIo): Interface {
  const input = path === '-' ? io.stdin : createReadStream(path, { encoding: 'utf8' });
  return createInterface({ input, crlfDelay: Infinity });
}

async function audioFrames(path: string, frameSize: number, rate: number | undefined, io: CliIo): Promise<Float32Array[]> {
  const bytes = path === '-' ? await readAll(io.stdin) : await readInputFile(path, 'audio file');
  let decoded;
  try {
    decoded = decodeWav(bytes);
  } catch (e) {
    if (e instanceof AudioFormatError) throw new AudioFormatError(`cannot decode ${path === '-' ? 'standard input' : `'${path}'`}: ${e.message}`);
    throw e;
  }
  let mono = downmix(decoded.channels);
  if (rate && rate !== decoded.sampleRate) mono = resample(mono, decoded.sampleRate, rate);
  const frames: Float32Array[] = [];
  for (let i = 0; i < mono.length; i += frameSize) {
    const f = new Float32Array(frameSize); // the last one zero-padded
    f.set(mono.subarray(i, i + frameSize));
    frames.push(f);
  }
  return frames;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const modelPath = args.positionals[0]!;
  const inputPath = stringFlag(args, 'input');
  if (!inputPath) throw new UsageError('--input FILE|- is required');
  const formatFlag = (stringFlag(args, 'format') ?? 'auto') as RowFormat | 'wav';
  if (!['csv', 'jsonl', 'wav', 'auto'].includes(formatFlag)) throw new UsageError(`--format must be csv, jsonl, wav or auto, got '${formatFlag}'`);
  const format = formatFlag === 'auto' && /\.wav$/i.test(inputPath) ? 'wav' : formatFlag;
  const windowSize = args.values.window === undefined ? undefined : numberFlag(args, 'window', 1, { min: 1, integer: true });
  const hop = numberFlag(args, 'hop', windowSize ?? 1, { min: 1, integer: true });
  if (args.values.hop !== undefined && windowSize === undefined) throw new UsageError('--hop needs --window');
  const reduce = (stringFlag(args, 'reduce') ?? 'last') as WindowReduce;
  if (!['last', 'mean', 'max', 'all'].includes(reduce as string)) throw new UsageError(`--reduce must be last, mean, max or all, got '${String(reduce)}'`);
  const keep = stringFlag(args, 'outputs')?.split(',').map((s) => s.trim()).filter(Boolean);
  if (inputPath !== '-') await requireFile(inputPath, 'input file');

  // A Layers model.json is imported in its streaming form: state as explicit inputs and outputs.
  const { model } = await loadModelFile(modelPath, { layersForm: 'step' });
  const { card } = findModelCard(modelPath, stringFlag(args, 'card'));
  const session = await createStepSession(model, { backend: args.flags.backend, ...(card ? { card } : {}) });
  try {
    const stateOutputs = new Set(session.info.bindings.map((b) => b.output));
    const known = new Set([...session.info.outputs.map((o) => o.name), ...stateOutputs]);
    for (const k of keep ?? []) if (!known.has(k)) throw new UsageError(`--outputs: the model has no output '${k}'; it has ${[...known].join(', ')}`);
    // Default: the non-state outputs; a model whose only outputs are its state shows those.
    const keepSet = keep ? new Set(keep) : session.info.outputs.length === 0 ? stateOutputs : undefined;
    const json = (outputs: Record<string, Tensor>) => outputsJson(outputs, keepSet, stateOutputs);

    const gate = new ReadAhead(READ_AHEAD);
    const toInput = (item: StepInput) => {
      gate.consumedOne();
      return item;
    };
    const items = new Subject<StepInput>();
    const lines$: Observable<string> = windowSize
      ? items.pipe(
          windowed(session, { size: windowSize, hop, reduce, toInput, highWaterMark: Infinity, ...(keepSet ? { outputs: [...keepSet] } : {}) }),
          map((w) => JSON.stringify({ window: w.index, start: w.start, length: w.length, outputs: json(w.outputs) })),
        )
      : items.pipe(step<StepInput, string>(session, { toInput, highWaterMark: Infinity, project: (o, _item, i) => JSON.stringify({ step: i, outputs: json(o) }) }));
    // A producer that never ends must not keep a failed run waiting for its next line: stop reading.
    let reader: Interface | undefined;
    const done = new Promise<void>((resolve, reject) => {
      lines$.subscribe({ next: (line) => io.stdout.write(`${line}\n`), error: reject, complete: resolve });
    });
    done.catch((e: unknown) => {
      gate.fail(e);
      reader?.close();
    });
    const feed = async (item: StepInput) => {
      await gate.admit();
      items.next(item);
    };

    try {
      if (format === 'wav') {
        const cardInput = card?.inputs?.[0];
        const frameSize = args.values.frame !== undefined ? numberFlag(args, 'frame', 1, { min: 1, integer: true }) : cardInput?.frame;
        if (!frameSize) throw new UsageError('audio input needs --frame SAMPLES (or a card whose input gives "frame")');
        for (const f of await audioFrames(inputPath, frameSize, card?.sampleRate, io)) await feed(f);
      } else {
        const parse = rowParser(format);
        reader = lines(inputPath, io);
        for await (const line of reader) {
          const row = parse(line);
          if (row !== undefined) await feed(row);
        }
        gate.check();
      }
      items.complete();
      await done;
    } catch (e) {
      items.complete();
      await done.catch(() => undefined);
      throw e;
    }
  } finally {
    await session.dispose();
  }
  return 0;
}

export const runCommand: Command = { spec, run };
