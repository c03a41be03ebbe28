/**
 * A one-line progress bar on stderr, drawn only on a terminal (never into a pipe or a log file), redrawn at
 * most ~20 times a second and erased when done, so the results on stdout stay clean.
 */
import type { CliIo } from './io.js';

export interface Progress {
  update(done: number): void;
  finish(): void;
}

const NONE: Progress = { update() {}, finish() {} };

/** A bar for `total` units labelled by `format(done)`; a no-op unless stderr is a TTY and `enabled`. */
export function progressBar(io: CliIo, total: number, format: (done: number) => string, enabled: boolean): Progress {
  if (!enabled || !io.stderrIsTTY || total <= 0) return NONE;
  let last = 0;
  let drawn = false;
  const draw = (done: number) => {
    const label = ` ${Math.floor((100 * done) / total)
      .toString()
      .padStart(3)}% ${format(done)}`;
    const width = Math.max(10, Math.min(50, io.columns - label.length - 3));
    const filled = Math.round((width * Math.min(done, total)) / total);
    io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${label}`);
    drawn = true;
  };
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 50 && done < total) return;
      last = now;
      draw(done);
    },
    finish() {
      if (drawn) io.stderr.write('\r\x1b[2K');
    },
  };
}
