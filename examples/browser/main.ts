/**
 * Browser speech tagging, live: microphone → 16 kHz → Silero VAD v5 on a step session → speech segments.
 *
 * The page fetches `silero_vad_v5.onnx` from beside itself (the build script copies it there), runs it on
 * the builtin backend (pure TypeScript, nothing else to download) or, with `?backend=ort-web`, on
 * onnxruntime-web (its wasm files are copied to `ort/` by the build). Query parameters:
 * - `backend=builtin|ort-web` (default builtin);
 * - `seconds=N`: stop by itself after N seconds of captured audio (the browser test uses this so that a
 *   looping fake microphone is heard exactly once); otherwise the Stop button ends the stream.
 *
 * Everything the page finds is also on `window.__rxrnn` (see {@link PageState}) for scripts and tests.
 */
import { Observable, Subject, takeUntil, tap } from 'rxjs';
import {
  createStepSession,
  resampleTo,
  segmentSpeech,
  sileroV5Card,
  vadProbabilities,
  SILERO_SEGMENTER_DEFAULTS,
  type SampleSegment,
  type StepSession,
} from '../../src/index.js';
import { drawProbabilities } from './plot-canvas.js';

/** Silero v5's rate and chunk: one probability per 512 samples (32 ms) at 16 kHz. */
const VAD_RATE = 16000;
const VAD_CHUNK = 512;

/** What the page exposes on `window.__rxrnn`. Times are seconds from the first captured sample. */
export interface PageState {
  status: 'idle' | 'loading' | 'listening' | 'done' | 'error';
  backend: string;
  /** The AudioContext's rate, which the microphone blocks arrive at before `resampleTo`. */
  captureRate: number;
  capturedSeconds: number;
  /** One speech probability per 32 ms chunk, in order. */
  probabilities: number[];
  /** Speech segments, each pushed once final (as `segmentSpeech` emits it). */
  segments: { start: number; end: number }[];
  /** Largest |sample| heard so far: shows the microphone delivered sound, not silence. */
  inputPeak: number;
  /**
   * Wall time spent in the rxrnn pipeline per second of audio (under 1 keeps up with real time). Measured
   * around each block's `next`, so it is the whole pipeline on builtin (which steps synchronously) but
   * only the synchronous part on ort-web (whose runs finish later).
   */
  realTimeFactor: number;
  error?: string;
}

declare global {
  interface Window {
    __rxrnn: PageState;
  }
}

const params = new URLSearchParams(location.search);
const backend = params.get('backend') === 'ort-web' ? 'ort-web' : 'builtin';
const stopAfterSeconds = params.has('seconds') ? Number(params.get('seconds')) : Infinity;

const state: PageState = {
  status: 'idle',
  backend,
  captureRate: 0,
  capturedSeconds: 0,
  probabilities: [],
  segments: [],
  realTimeFactor: 0,
  inputPeak: 0,
};
window.__rxrnn = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const startButton = $<HTMLButtonElement>('start');
const stopButton = $<HTMLButtonElement>('stop');
const statusLine = $<HTMLElement>('status');
const segmentList = $<HTMLOListElement>('segments');
const canvas = $<HTMLCanvasElement>('plot');

function setStatus(status: PageState['status'], text: string): void {
  state.status = status;
  statusLine.textContent = text;
}

/**
 * The microphone as an Observable of Float32Array blocks at `context.sampleRate`. Completes after
 * `maxSamples` samples (the last block cut to fit) or when the track ends; unsubscribing releases the
 * microphone. `onBlock` is told how long the subscriber took over each block (the pipeline runs inside
 * `next`, synchronously on the builtin backend).
 */
function microphone(
  context: AudioContext,
  stream: MediaStream,
  maxSamples: number,
  onBlock: (block: Float32Array, ms: number) => void,
): Observable<Float32Array> {
  return new Observable<Float32Array>((subscriber) => {
    const source = context.createMediaStreamSource(stream);
    const capture = new AudioWorkletNode(context, 'rxrnn-capture', { numberOfOutputs: 1 });
    // A worklet node is rendered only while the graph pulls it; a muted gain to the speakers does that
    // without playing the microphone back.
    const mute = new GainNode(context, { gain: 0 });
    source.connect(capture).connect(mute).connect(context.destination);
    let taken = 0;
    capture.port.onmessage = (event: MessageEvent<Float32Array>) => {
      if (subscriber.closed) return;
      let block = event.data;
      if (taken + block.length > maxSamples) block = block.subarray(0, maxSamples - taken);
      taken += block.length;
      const t0 = performance.now();
      if (block.length) subscriber.next(block);
      onBlock(block, performance.now() - t0);
      if (taken >= maxSamples) subscriber.complete();
    };
    const track = stream.getAudioTracks()[0];
    const ended = () => subscriber.complete();
    track?.addEventListener('ended', ended);
    return () => {
      track?.removeEventListener('ended', ended);
      capture.port.onmessage = null;
      source.disconnect();
      capture.disconnect();
      mute.disconnect();
      for (const t of stream.getTracks()) t.stop();
    };
  });
}

async function loadSession(): Promise<StepSession> {
  const response = await fetch('./silero_vad_v5.onnx');
  if (!response.ok) throw new Error(`fetching silero_vad_v5.onnx: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return createStepSession(bytes, {
    backend,
    card: sileroV5Card(VAD_RATE),
    // onnxruntime-web finds its wasm files where the build copied them; one thread, since worker threads
    // need a cross-origin-isolated page.
    ...(backend === 'ort-web' ? { engine: { wasmPaths: new URL('./ort/', location.href).href, threads: 1 } } : {}),
  });
}

function showSegment(s: { start: number; end: number }): void {
  const item = document.createElement('li');
  item.textContent = `speech ${s.start.toFixed(2)} – ${s.end.toFixed(2)} s`;
  segmentList.append(item);
}

async function start(): Promise<void> {
  startButton.disabled = true;
  setStatus('loading', `loading Silero VAD v5 on ${backend}…`);
  // The context and its worklet are ready before the microphone opens, so little of the first audio is lost.
  const context = new AudioContext();
  await context.audioWorklet.addModule('./capture-worklet.js');
  const session = await loadSession();
  const stream = await navigator.mediaDevices.getUserMedia({
    // Raw samples: echo cancellation, noise suppression and gain control would change what the model hears.
    audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  await context.resume();
  state.captureRate = context.sampleRate;
  setStatus('listening', `listening (${context.sampleRate} Hz → ${VAD_RATE} Hz, ${backend})`);

  let capturedSamples = 0;
  let pipelineMs = 0;
  const maxSamples = Number.isFinite(stopAfterSeconds) ? Math.round(stopAfterSeconds * context.sampleRate) : Infinity;
  const toSeconds = (s: SampleSegment) => ({ start: s.start / VAD_RATE, end: s.end / VAD_RATE });

  const stop$ = new Subject<void>();
  const subscription = microphone(context, stream, maxSamples, (block, ms) => {
    capturedSamples += block.length;
    for (let i = 0; i < block.length; i++) state.inputPeak = Math.max(state.inputPeak, Math.abs(block[i]!));
    pipelineMs += ms;
    state.capturedSeconds = capturedSamples / context.sampleRate;
    state.realTimeFactor = pipelineMs / 1000 / Math.max(state.capturedSeconds, 1e-9);
  })
    .pipe(
      // Stopping completes the stream through the pipeline, so the resampler's tail, the last partial chunk
      // and the last segment are flushed rather than lost.
      takeUntil(stop$),
      resampleTo(context.sampleRate, VAD_RATE),
      vadProbabilities(session),
      tap((p) => state.probabilities.push(p)),
      segmentSpeech(VAD_CHUNK, VAD_RATE),
    )
    .subscribe({
      next(segment) {
        const s = toSeconds(segment);
        state.segments.push(s);
        showSegment(s);
      },
      error(e: unknown) {
        state.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        setStatus('error', `error: ${state.error}`);
        void finish();
      },
      complete() {
        setStatus(
          'done',
          `done: ${state.capturedSeconds.toFixed(1)} s heard, ${state.segments.length} segment(s), ` +
            `pipeline ${(state.realTimeFactor * 100).toFixed(1)}% of real time`,
        );
        void finish();
      },
    });

  let frame = 0;
  const redraw = () => {
    drawProbabilities(canvas, state.probabilities, VAD_CHUNK / VAD_RATE, state.segments, SILERO_SEGMENTER_DEFAULTS.threshold);
    if (state.status === 'listening') frame = requestAnimationFrame(redraw);
  };
  frame = requestAnimationFrame(redraw);

  stopButton.disabled = false;
  stopButton.onclick = () => stop$.next();

  async function finish(): Promise<void> {
    stopButton.disabled = true;
    cancelAnimationFrame(frame);
    redraw();
    subscription.unsubscribe();
    await context.close();
    await session.dispose();
  }
}

startButton.onclick = () => {
  start().catch((e: unknown) => {
    state.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    setStatus('error', `error: ${state.error}`);
  });
};
