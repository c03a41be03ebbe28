/**
 * AudioWorklet processor: copies the first input channel of the microphone into blocks of
 * `BLOCK_SAMPLES` and posts each block (its buffer transferred) to the page. The render thread hands us
 * 128-frame quanta; posting each one would be ~375 messages a second at 48 kHz, so they are gathered first.
 *
 * Built by scripts/build-browser-example.ts as its own file: `audioWorklet.addModule` loads a script, and
 * this scope has neither the DOM nor rxrnn.
 */

// The AudioWorkletGlobalScope is not in TypeScript's DOM lib; these are the two names it provides that we use.
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

/** ~43 ms at 48 kHz: small enough for live display, large enough to keep message traffic low. */
const BLOCK_SAMPLES = 2048;

class CaptureProcessor extends AudioWorkletProcessor {
  private block = new Float32Array(BLOCK_SAMPLES);
  private filled = 0;

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    // No input connected (yet): nothing captured, but stay alive.
    if (!channel) return true;
    let read = 0;
    while (read < channel.length) {
      const n = Math.min(channel.length - read, BLOCK_SAMPLES - this.filled);
      this.block.set(channel.subarray(read, read + n), this.filled);
      this.filled += n;
      read += n;
      if (this.filled === BLOCK_SAMPLES) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(BLOCK_SAMPLES);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('rxrnn-capture', CaptureProcessor);
