/**
 * Draws the live view on a canvas: the last `WINDOW_SECONDS` of speech probability as a trace, the
 * threshold as a dashed line, and the segments found so far as shaded spans.
 */

/** How much history the plot shows; older probabilities scroll off the left edge. */
const WINDOW_SECONDS = 10;

/**
 * @param probabilities one per chunk, oldest first
 * @param chunkSeconds the duration of one chunk (0.032 s for Silero v5 at 16 kHz)
 * @param segments speech spans in seconds from the start of the stream
 * @param threshold the segmenter's speech threshold (drawn for reference)
 * @example
 * ```ts
 * drawProbabilities(canvas, [0.1, 0.9, 0.95], 0.032, [{ start: 0.03, end: 0.1 }], 0.5);
 * ```
 */
export function drawProbabilities(
  canvas: HTMLCanvasElement,
  probabilities: readonly number[],
  chunkSeconds: number,
  segments: readonly { start: number; end: number }[],
  threshold: number,
): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  const { width, height } = canvas;
  const now = probabilities.length * chunkSeconds;
  const t0 = Math.max(0, now - WINDOW_SECONDS);
  const x = (t: number) => ((t - t0) / WINDOW_SECONDS) * width;
  const y = (p: number) => height - p * height;

  g.clearRect(0, 0, width, height);
  g.fillStyle = 'rgba(46, 160, 67, 0.25)';
  for (const s of segments) {
    if (s.end < t0) continue;
    g.fillRect(x(s.start), 0, x(s.end) - x(s.start), height);
  }

  g.strokeStyle = '#999';
  g.setLineDash([4, 4]);
  g.beginPath();
  g.moveTo(0, y(threshold));
  g.lineTo(width, y(threshold));
  g.stroke();
  g.setLineDash([]);

  g.strokeStyle = '#0969da';
  g.lineWidth = 2;
  g.beginPath();
  const first = Math.floor(t0 / chunkSeconds);
  for (let i = first; i < probabilities.length; i++) {
    const px = x((i + 0.5) * chunkSeconds);
    const py = y(probabilities[i]!);
    if (i === first) g.moveTo(px, py);
    else g.lineTo(px, py);
  }
  g.stroke();
}
