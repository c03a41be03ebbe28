/**
 * G.711 companded samples (A-law and µ-law, one byte each), the encodings of telephone audio, as 16-bit
 * linear values scaled to [-1, 1). The expansions are ITU-T G.711's, the same as sox's and libsndfile's
 * tables: µ-law is bias-133 segments of the complemented byte, A-law segments of the byte XOR 0x55, whose
 * set sign bit means positive.
 */

function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 7;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function table(expand: (byte: number) => number): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) t[b] = expand(b) / 32768;
  return t;
}

/** Byte → sample, for each companding law. */
export const G711_TABLES: Readonly<Record<'alaw' | 'mulaw', Float32Array>> = {
  alaw: table(alawToLinear),
  mulaw: table(mulawToLinear),
};
