/**
 * `rxrnn vad AUDIO`: voice activity over a recording with Silero VAD v5 — decoded, downmixed, resampled to
 * 16 kHz, streamed through the `frame` and `step` operators on a step session, then cut into segments with
 * the authors' rules. Prints the segments and a summary, or with `--json` exactly
 * `{"sampleRate","frameSamples","probabilities","segments"}`.
 */
import { writeFile } from 'node:fs/promises';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { vadPlotSvg } from '../../audio/plot.js';
import { segmentsInSeconds, SILERO_SEGMENTER_DEFAULTS, speechSegments } from '../../audio/segmenter.js';
import { resampleTo } from '../../audio/resample-operator.js';
import { SILERO_V5_FRAMING, sileroV5Card, vadProbabilities } from '../../audio/silero-vad.js';
import { numberFlag, stringFlag, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../files.js';
import type { CliIo } from '../io.js';
import { progressBar } from '../progress.js';
import { readAudio } from '../read-audio.js';
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

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = args.positionals[0]!;
  const threshold = numberFlag(args, 'threshold', SILERO_SEGMENTER_DEFAULTS.threshold, { min: 0.01, max: 1 });
  const minSpeechMs = numberFlag(args, 'min-speech-ms', SILERO_SEGMENTER_DEFAULTS.minSpeechMs, { min: 0 });
  const minSilenceMs = numberFlag(args, 'min-silence-ms', SILERO_SEGMENTER_DEFAULTS.minSilenceMs, { min: 0 });
  const speechPadMs = numberFlag(args, 'speech-pad-ms', SILERO_SEGMENTER_DEFAULTS.speechPadMs, { min: 0 });
  const plotPath = stringFlag(args, 'plot');
  const { flags } = args;

  const audio = await readAudio(path, io);
  const src = audio.source;
  // Loaded only now: a file that is not audio is reported without loading any backend.
  const { createStepSession } = await import('../../session/step-session.js');
  const session = await createStepSession(sileroV5ModelPath(), { backend: flags.backend, card: sileroV5Card(RATE) });
  let probabilities: number[];
  // Output length of the resampler (ceil(n · 16000 / rate)): what segment ends are clipped to.
  const length16k = Math.ceil((audio.samples.length * RATE) / src.sampleRate);
  try {
    const chunks = Math.ceil(length16k / FRAME);
    const bar = progressBar(io, chunks, (n) => `${fmt((n * FRAME) / RATE)}/${fmt(src.seconds)} s`, !flags.quiet && src.seconds >= 5);
    // One second per block: the operators see the recording as a stream, as they would a microphone.
    const blocks: Float32Array[] = [];
    for (let i = 0; i < audio.samples.length; i += src.sampleRate) blocks.push(audio.samples.subarray(i, i + src.sampleRate));
    let done = 0;
    try {
      probabilities = await lastValueFrom(
        from(blocks).pipe(
          resampleTo(src.sampleRate, RATE),
          vadProbabilities(session, { sampleRate: RATE }),
          tap(() => bar.update(++done)),
          toArray(),
        ),
      );
    } finally {
      bar.finish();
    }
  } finally {
    await session.dispose();
  }

  const segments = segmentsInSeconds(
    speechSegments(probabilities, FRAME, RATE, length16k, { threshold, minSpeechMs, minSilenceMs, speechPadMs }),
    RATE,
  );

  if (plotPath) {
    const svg = vadPlotSvg({
      samples: audio.samples,
      sampleRate: src.sampleRate,
      probabilities,
      frameSamples: FRAME,
      frameRate: RATE,
      segments,
      threshold,
      title: `Voice activity — ${path === '-' ? 'standard input' : path}`,
    });
    try {
      await writeFile(plotPath, svg);
    } catch (e) {
      throw new CliError(`cannot write the plot to '${plotPath}': ${(e as Error).message}`);
    }
  }

  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ sampleRate: RATE, frameSamples: FRAME, probabilities, segments })}\n`);
    return 0;
  }
  if (!flags.quiet) {
    const enc = `${src.encoding.bitsPerSample}-bit ${src.encoding.format === 'float' ? 'float' : 'PCM'}`;
    const chans = src.channels === 1 ? 'mono' : `${src.channels} channels downmixed`;
    const rs = src.sampleRate === RATE ? '' : `, resampled ${src.sampleRate} → ${RATE} Hz`;
    io.stdout.write(`${path === '-' ? 'standard input' : path}: ${fmt(src.seconds)} s, ${src.sampleRate} Hz ${chans}, ${enc}${rs}; Silero VAD v5 on ${session.info.backend}\n`);
  }
  for (const s of segments) io.stdout.write(`${fmt(s.start).padStart(8)} – ${fmt(s.end).padStart(8)} s  (${fmt(s.end - s.start)} s)\n`);
  if (!flags.quiet) {
    const speech = segments.reduce((t, s) => t + (s.end - s.start), 0);
    const total = length16k / RATE;
    io.stdout.write(
      segments.length === 0
        ? `no speech found in ${fmt(total)} s\n`
        : `${segments.length} speech segment${segments.length === 1 ? '' : 's'}, ${fmt(speech)} s of speech ` +
            `(${Math.round((100 * speech) / total)}%) in ${fmt(total)} s\n`,
    );
    if (plotPath) io.stdout.write(`plot written to ${plotPath}\n`);
  }
  return 0;
}

export const vadCommand: Command = { spec, run };
