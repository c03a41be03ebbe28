/**
 * An SVG picture of a VAD run, readable at a glance: the waveform on top, the speech probability below with
 * the threshold as a dashed line, the detected segments as green bands through both, and a time axis in
 * seconds. Plain string building, so it runs anywhere (write the string to a file or into the DOM).
 */

export interface VadPlotInput {
  /** Mono samples at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  /** One probability per chunk of `frameSamples` samples from the start. */
  probabilities: ArrayLike<number>;
  frameSamples: number;
  /** The rate the chunks were taken at, when the model ran on resampled audio (default `sampleRate`). */
  frameRate?: number;
  /** Segments in seconds. */
  segments: readonly { start: number; end: number }[];
  threshold: number;
  title?: string;
  /** Picture width in pixels (default 1200). */
  width?: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A tick spacing of 1, 2 or 5 × 10^k giving at most ~12 ticks. */
function tickStep(duration: number): number {
  const raw = duration / 12;
  const pow = 10 ** Math.floor(Math.log10(raw > 0 ? raw : 1));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/**
 * Renders the plot.
 *
 * @example
 * ```ts
 * const svg = vadPlotSvg({ samples, sampleRate: 16000, probabilities, frameSamples: 512, segments, threshold: 0.5 });
 * await writeFile('vad.svg', svg);
 * ```
 */
export function vadPlotSvg(input: VadPlotInput): string {
  const W = input.width ?? 1200;
  const left = 56;
  const right = 16;
  const plotW = W - left - right;
  const waveTop = 40;
  const waveH = 150;
  const probTop = waveTop + waveH + 24;
  const probH = 130;
  const axisY = probTop + probH;
  const H = axisY + 48;
  const n = input.samples.length;
  const chunkSec = input.frameSamples / (input.frameRate ?? input.sampleRate);
  const duration = Math.max(n / input.sampleRate, input.probabilities.length * chunkSec) || 1;
  const xOf = (seconds: number) => left + (seconds / duration) * plotW;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(input.title ?? 'Voice activity')}</text>`,
    `<text x="${W - right}" y="22" text-anchor="end" fill="#555">` +
      `${input.segments.length} speech segment(s), threshold ${input.threshold}</text>`,
  );

  // Segments first, so the curves draw over them.
  for (const s of input.segments) {
    const x0 = xOf(s.start);
    const x1 = xOf(s.end);
    parts.push(
      `<rect x="${f1(x0)}" y="${waveTop}" width="${f1(Math.max(1, x1 - x0))}" height="${axisY - waveTop}" ` +
        `fill="#2ca02c" fill-opacity="0.18"><title>speech ${s.start.toFixed(2)}–${s.end.toFixed(2)} s</title></rect>`,
    );
  }

  // Waveform: the min and max of each pixel column, so peaks survive however long the file is.
  const mid = waveTop + waveH / 2;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(input.samples[i]!));
  const gain = peak > 0 ? waveH / 2 / peak : 0;
  const cols = Math.max(1, Math.floor(plotW));
  let wave = '';
  for (let c = 0; c < cols && n > 0; c++) {
    const a = Math.floor((c * n) / cols);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b && i < n; i++) {
      const v = input.samples[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) continue;
    const x = f1(left + c + 0.5);
    wave += `M${x} ${f1(mid - hi * gain)}V${f1(mid - lo * gain + 0.5)}`;
  }
  parts.push(
    `<rect x="${left}" y="${waveTop}" width="${plotW}" height="${waveH}" fill="none" stroke="#ccc"/>`,
    `<path d="${wave}" stroke="#1f77b4" stroke-width="1" fill="none"/>`,
    `<text x="${left - 6}" y="${mid + 4}" text-anchor="end" fill="#555">wave</text>`,
  );

  // Probability curve as a step line: each chunk's value held over the chunk it describes.
  const yOf = (p: number) => probTop + (1 - p) * probH;
  let curve = '';
  for (let i = 0; i < input.probabilities.length; i++) {
    const p = Math.min(1, Math.max(0, Number(input.probabilities[i])));
    curve += `${i === 0 ? 'M' : 'L'}${f1(xOf(i * chunkSec))} ${f1(yOf(p))}H${f1(xOf((i + 1) * chunkSec))}`;
  }
  parts.push(
    `<rect x="${left}" y="${probTop}" width="${plotW}" height="${probH}" fill="none" stroke="#ccc"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${f1(yOf(input.threshold))}" y2="${f1(yOf(input.threshold))}" ` +
      `stroke="#d62728" stroke-dasharray="6 4"/>`,
    `<text x="${left + plotW - 4}" y="${f1(yOf(input.threshold) - 4)}" text-anchor="end" fill="#d62728">threshold</text>`,
    `<path d="${curve}" stroke="#ff7f0e" stroke-width="1.5" fill="none"/>`,
    `<text x="${left - 6}" y="${probTop + 10}" text-anchor="end" fill="#555">1</text>`,
    `<text x="${left - 6}" y="${axisY}" text-anchor="end" fill="#555">0</text>`,
    `<text x="${left - 6}" y="${probTop + probH / 2 + 4}" text-anchor="end" fill="#555">p</text>`,
  );

  // Time axis.
  const step = tickStep(duration);
  for (let k = 0; k * step <= duration + 1e-9; k++) {
    const t = k * step;
    const x = f1(xOf(t));
    const label = Number.isInteger(step) ? t.toFixed(0) : t.toFixed(String(step).split('.')[1]?.length ?? 1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${axisY}" y2="${axisY + 5}" stroke="#555"/>`,
      `<text x="${x}" y="${axisY + 18}" text-anchor="middle" fill="#555">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${axisY + 38}" text-anchor="middle" fill="#555">time (s)</text>`,
    `<g font-size="11"><rect x="${left}" y="${axisY + 28}" width="10" height="10" fill="#2ca02c" fill-opacity="0.35"/>` +
      `<text x="${left + 14}" y="${axisY + 37}">speech segment</text>` +
      `<line x1="${left + 120}" x2="${left + 140}" y1="${axisY + 33}" y2="${axisY + 33}" stroke="#ff7f0e" stroke-width="2"/>` +
      `<text x="${left + 144}" y="${axisY + 37}">speech probability</text></g>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}
