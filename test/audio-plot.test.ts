/**
 * The VAD plot: a well-formed SVG whose bands sit where the segments are (x = left + t/duration·width),
 * one step of the probability curve per chunk, the threshold line at its height, and text escaped.
 */
import { describe, expect, it } from 'vitest';
import { vadPlotSvg } from '../src/audio/plot.js';

const rate = 16000;
const samples = Float32Array.from({ length: rate * 4 }, (_, i) => (i > rate && i < 2 * rate ? Math.sin(i / 5) * 0.8 : 0.01));
const probabilities = Array.from({ length: Math.ceil(samples.length / 512) }, (_, i) => (i * 512 > rate && i * 512 < 2 * rate ? 0.95 : 0.02));

describe('vadPlotSvg', () => {
  const svg = vadPlotSvg({ samples, sampleRate: rate, probabilities, frameSamples: 512, segments: [{ start: 1, end: 2 }], threshold: 0.5, title: 'a <b> & "c"' });

  it('is one well-formed svg element with a white background', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="1200"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
  });

  it('places the segment band at its time', () => {
    const m = /<rect x="([\d.]+)" y="40" width="([\d.]+)"[^>]*fill="#2ca02c"/.exec(svg)!;
    const left = 56;
    const plotW = 1200 - 56 - 16;
    expect(Number(m[1])).toBeCloseTo(left + (1 / 4) * plotW, 0);
    expect(Number(m[2])).toBeCloseTo(plotW / 4, 0);
  });

  it('draws one step per chunk and the threshold line at 0.5', () => {
    const curve = /<path d="(M[^"]+)" stroke="#ff7f0e"/.exec(svg)![1]!;
    expect(curve.match(/[ML][\d.]+ [\d.]+H[\d.]+/g)).toHaveLength(probabilities.length);
    const y = /<line x1="56" x2="1184" y1="([\d.]+)"/.exec(svg)![1]!;
    expect(Number(y)).toBeCloseTo(214 + 0.5 * 130, 1);
  });

  it('labels the time axis in seconds', () => {
    for (const t of ['0.0', '0.5', '1.0', '2.0', '4.0']) expect(svg).toContain(`text-anchor="middle" fill="#555">${t}</text>`);
    expect(svg).toContain('time (s)');
  });

  it('copes with silence and no segments', () => {
    const quiet = vadPlotSvg({ samples: new Float32Array(1000), sampleRate: rate, probabilities: [0, 0], frameSamples: 512, segments: [], threshold: 0.5 });
    expect(quiet).toContain('0 speech segment(s)');
    expect(quiet).not.toContain('NaN');
  });
});
