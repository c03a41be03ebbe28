/**
 * What a command may touch of the outside world, passed in so tests can run commands in-process with
 * captured output: stdout (results), stderr (progress, summaries, errors), stdin, and whether each is a
 * terminal (progress bars appear on a TTY only).
 */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  stdin: NodeJS.ReadableStream;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Terminal width for progress bars. */
  columns: number;
}

/** The real process streams. */
export function processIo(): CliIo {
  // `rxrnn vad x.wav --json | head -c 100`: the reader left, which is not a failure of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
  };
}
