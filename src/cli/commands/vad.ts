/**
 * `rxrnn vad AUDIO`: voice activity over a recording with Silero VAD v5 — decoded, downmixed, resampled to
 * 16 kHz as it streams (`resampleTo`), through the `frame` and `step` operators on a step session
 * (`vadProbabilities`), and cut into segments with the authors' rules (`SpeechSegmenter`), each segment
 * printed once final. Prints a summary at the end, or with `--json` exactly
 * `{"sampleRate","frameSamples","probabilities","segments"}`.
 */
import { writeFile } from 'node:fs/promises';
import { from, lastValueFrom, tap } from 'rxjs';
import { vadPlotSvg } from '../../audio/plot.js';
import { segmentsInSeconds, SILERO_SEGMENTER_DEFAULTS, SpeechSegmenter, type SampleSegment } from '../../audio/segmenter.js';
import { resampleTo } from '../../audio/resample-operator.js';
import { formatName } from '../../audio/wav.js';
import { SILERO_V5_FRAMING, sileroV5Card, vadProbabilities } from '../../audio/silero-vad.js';
import { numberFlag, stringFlag, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../files.js';
import type { CliIo } from '../io.js';
import { progressBar } from '../progress.js';
import { openAudio } from '../read-audio.js';
import { sileroV5ModelPath } from '../silero-model.js';

const RATE = 16000;
const FRAME = SILERO_V5_FRAMING[RATE].frameSamples;

const spec: CommandSpec = {
  name: 'vad',
  summary:
    'Find the speech in a recording with Silero VAD v5. WAV of 8/16/24/32-bit integer or 32-bit float, any\n' +
    'channel count (downmixed) and any sample rate (resampled to 16 kHz). AUDIO may be - for standard input.',
  args: 'AUDIO',
  positionals: { min: 1, max: 1 },
  backend: true,
  options: {
    threshold: { type: 'string', value: 'P', description: 'speech starts at a probability ≥ P', defaultText: '0.5' },
    'min-speech-ms': { type: 'string', value: 'MS', description: 'drop segments not longer than MS', defaultText: '250' },
    'min-silence-ms': { type: 'string', value: 'MS', description: 'quiet needed to end a segment', defaultText: '100' },
    'speech-pad-ms': { type: 'string', value: 'MS', description: 'padding added on each side of a segment', defaultText: '30' },
    plot: { type: 'string', value: 'FILE.svg', description: 'draw waveform, probabilities and segments to an SVG file' },
  },
  details:
    'Speech ends when the probability stays below threshold − 0.15 for min-silence-ms (Silero\'s own rules).\n' +
    '--json prints {"sampleRate":16000,"frameSamples":512,"probabilities":[...],"segments":[{"start","end"}]}:\n' +
    'one probability per 512-sample chunk from the start of the file, segments in seconds.\n\n' +
    'Example: rxrnn vad examples/data/speech.wav --plot speech.svg',
};

const fmt = (s: number) => s.toFixed(2);

function segmentLine(s: { start: number; end: number }): string {
  return `${fmt(s.start).padStart(8)} – ${fmt(s.end).padStart(8)} s  (${fmt(s.end - s.start)} s)\n`;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = args.positionals[0]!;
  const options = {
    threshold: numberFlag(args, 'threshold', SILERO_SEGMENTER_DEFAULTS.threshold, { min: 0.01, max: 1 }),
    minSpeechMs: numberFlag(args, 'min-speech-ms', SILERO_SEGMENTER_DEFAULTS.minSpeechMs, { min: 0 }),
    minSilenceMs: numberFlag(args, 'min-silence-ms', SILERO_SEGMENTER_DEFAULTS.minSilenceMs, { min: 0 }),
    speechPadMs: numberFlag(args, 'speech-pad-ms', SILERO_SEGMENTER_DEFAULTS.speechPadMs, { min: 0 }),
  };
  const plotPath = stringFlag(args, 'plot');
  const { flags } = args;
  const name = path === '-' ? 'standard input' : path;

  const audio = await openAudio(path, io);
  // Loaded only now: a file that is not audio is reported without loading any backend.
  const { createStepSession } = await import('../../session/step-session.js');
  const session = await createStepSession(sileroV5ModelPath(), { backend: flags.backend, card: sileroV5Card(RATE) });

  if (!flags.quiet && !flags.json) {
    const enc = `${audio.encoding.bitsPerSample}-bit ${formatName(audio.encoding.format)}`;
    const chans = audio.channels === 1 ? 'mono' : `${audio.channels} channels downmixed`;
    const rs = audio.sampleRate === RATE ? '' : `, resampled ${audio.sampleRate} → ${RATE} Hz`;
    const len = audio.seconds === undefined ? '' : ` ${fmt(audio.seconds)} s,`;
    io.stdout.write(`${name}:${len} ${audio.sampleRate} Hz ${chans}, ${enc}${rs}; Silero VAD v5 on ${session.info.backend}\n`);
  }

  // Segments are printed as soon as they are final, so a live recording piped in gets them as it goes.
  const segmenter = new SpeechSegmenter(FRAME, RATE, options);
  const segments: SampleSegment[] = [];
  const found = (list: SampleSegment[]) => {
    for (const s of list) {
      segments.push(s);
      if (!flags.json) io.stdout.write(segmentLine(segmentsInSeconds([s], RATE)[0]!));
    }
  };
  const probabilities: number[] = [];
  const kept: Float32Array[] = []; // the waveform, only for --plot
  let inputSamples = 0;
  const chunks = audio.seconds === undefined ? 0 : Math.ceil((audio.seconds * RATE) / FRAME);
  const total = audio.seconds ?? 0;
  const bar = progressBar(io, chunks, (n) => `${fmt((n * FRAME) / RATE)}/${fmt(total)} s`, !flags.quiet && total >= 5);
  try {
    await lastValueFrom(
      from(audio.blocks).pipe(
        tap((block) => {
          inputSamples += block.length;
          if (plotPath) kept.push(block);
        }),
        resampleTo(audio.sampleRate, RATE),
        vadProbabilities(session, { sampleRate: RATE }),
        tap((p) => {
          probabilities.push(p);
          bar.update(probabilities.length);
          found(segmenter.push(p));
        }),
      ),
      { defaultValue: undefined },
    );
  } finally {
    bar.finish();
    await session.dispose();
  }
  // The resampler's output length, ceil(n · 16000 / rate): the audio's length at 16 kHz.
  const length16k = Math.ceil((inputSamples * RATE) / audio.sampleRate);
  found(segmenter.end(length16k));
  const seconds = segmentsInSeconds(segments, RATE);

  if (plotPath) {
    const samples = new Float32Array(inputSamples);
    let o = 0;
    for (const b of kept) {
      samples.set(b, o);
      o += b.length;
    }
    const svg = vadPlotSvg({
      samples,
      sampleRate: audio.sampleRate,
      probabilities,
      frameSamples: FRAME,
      frameRate: RATE,
      segments: seconds,
      threshold: options.threshold,
      title: `Voice activity — ${name}`,
    });
    try {
      await writeFile(plotPath, svg);
    } catch (e) {
      throw new CliError(`cannot write the plot to '${plotPath}': ${(e as Error).message}`);
    }
  }

  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ sampleRate: RATE, frameSamples: FRAME, probabilities, segments: seconds })}\n`);
    return 0;
  }
  if (!flags.quiet) {
    const speech = seconds.reduce((t, s) => t + (s.end - s.start), 0);
    const duration = length16k / RATE;
    io.stdout.write(
      seconds.length === 0
        ? `no speech found in ${fmt(duration)} s\n`
        : `${seconds.length} speech segment${seconds.length === 1 ? '' : 's'}, ${fmt(speech)} s of speech ` +
            `(${Math.round((100 * speech) / duration)}%) in ${fmt(duration)} s\n`,
    );
    if (plotPath) io.stdout.write(`plot written to ${plotPath}\n`);
  }
  return 0;
}

export const vadCommand: Command = { spec, run };
