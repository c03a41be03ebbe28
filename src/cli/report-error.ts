/**
 * Turning a thrown error into what the user sees: one line naming the problem (the stack only with
 * `--verbose`), and the exit status — 2 for bad usage, 1 for everything else.
 */
import { RxrnnError } from '../errors.js';
import { UsageError } from './args.js';
import { CliError } from './files.js';

export function exitStatusOf(e: unknown): number {
  return e instanceof UsageError ? 2 : 1;
}

/** One line, no stack: the message of a known error, or the kind and message of an unexpected one. */
export function oneLine(e: unknown): string {
  let msg: string;
  if (e instanceof UsageError || e instanceof CliError || e instanceof RxrnnError) msg = e.message;
  else if (e instanceof Error) msg = `unexpected ${e.name}: ${e.message} (run with --verbose for the stack trace)`;
  else msg = `unexpected error: ${String(e)}`;
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

/** Writes the error for `command` and returns the exit status. */
export function reportError(
  e: unknown,
  command: string,
  io: { stderr: { write(s: string): unknown } },
  verbose: boolean,
): number {
  const prefix = command ? `rxrnn ${command}` : 'rxrnn';
  io.stderr.write(`${prefix}: ${oneLine(e)}\n`);
  if (e instanceof UsageError) io.stderr.write(`Try 'rxrnn ${command ? `${command} ` : ''}--help'.\n`);
  if (verbose && e instanceof Error && e.stack) {
    io.stderr.write(`${e.stack}\n`);
    if (e.cause instanceof Error && e.cause.stack) io.stderr.write(`Caused by: ${e.cause.stack}\n`);
  }
  return exitStatusOf(e);
}
