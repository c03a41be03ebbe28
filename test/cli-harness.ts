/**
 * Running the `rxrnn` CLI from tests: in-process through `runCli` with captured streams (fast), or as a
 * child process (`node --import tsx src/cli/main.ts`) where the real exit status and stdin piping matter.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/main.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export async function cli(
  argv: string[],
  options: { stdin?: string; stderrIsTTY?: boolean; columns?: number } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    stdoutIsTTY: false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    columns: options.columns ?? 100,
  });
  return { status, stdout, stderr };
}

/** Spawns the CLI; the caller drives stdin/stdout. */
export function spawnCli(argv: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI as a child process to completion. */
export function cliChild(argv: string[], stdin?: string | Uint8Array): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(argv);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
