/**
 * Bad input to the CLI: each case is one line on stderr naming the problem, exit status 1 (failure) or 2
 * (bad usage), and never a stack trace unless --verbose.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../src/audio/wav-encode.js';
import { cli, cliChild, ROOT } from './cli-harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-errors-'));
const speech = readFileSync(join(ROOT, 'examples/data/speech.wav'));
const truncated = join(tmp, 'truncated.wav');
writeFileSync(truncated, speech.subarray(0, 10000));
const empty = join(tmp, 'empty.wav');
writeFileSync(empty, new Uint8Array(0));
const noSamples = join(tmp, 'header-only.wav');
writeFileSync(noSamples, encodeWav([new Float32Array(0)], 16000, { format: 'pcm', bitsPerSample: 16 }));
const garbageModel = join(tmp, 'garbage.onnx');
writeFileSync(garbageModel, Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256));
const inputs = join(tmp, 'inputs.json');
writeFileSync(inputs, '{"x": [1, 2, 3]}');

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m); // no stack frames
  // Usage errors add one pointer to --help; nothing else.
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines.length === 2) expect(lines[1]).toMatch(/^Try 'rxrnn .*--help'\.$/);
}

describe('rxrnn on bad input', () => {
  it.each([
    ['a missing file', ['vad', join(tmp, 'nothere.wav')], 1, /^rxrnn vad: cannot read audio file '.*nothere\.wav': no such file$/],
    ['a directory', ['vad', tmp], 1, /^rxrnn vad: cannot read audio file '.*': it is a directory, not a file$/],
    ['a file that is not audio', ['vad', join(ROOT, 'package.json')], 1, /^rxrnn vad: cannot decode '.*package\.json': not a WAV file: expected 'RIFF' and 'WAVE'/],
    ['a truncated WAV', ['vad', truncated], 1, /^rxrnn vad: cannot decode '.*truncated\.wav': truncated WAV: the 'data' chunk declares 544974 bytes, only 9956 are in the file$/],
    ['an empty file', ['vad', empty], 1, /^rxrnn vad: cannot decode '.*empty\.wav': the file is empty \(0 bytes\)/],
    ['a WAV with no samples', ['vad', noSamples], 1, /^rxrnn vad: '.*header-only\.wav' holds no samples \(an empty 'data' chunk\)$/],
    ['an unknown flag', ['vad', 'x.wav', '--bogus'], 2, /^rxrnn vad: Unknown option '--bogus'/],
    ['a bad number', ['vad', 'x.wav', '--threshold', 'high'], 2, /^rxrnn vad: --threshold must be a number between 0\.01 and 1, got 'high'$/],
    ['an unknown backend', ['vad', 'x.wav', '--backend', 'gpu'], 2, /^rxrnn vad: --backend must be one of auto, builtin, ort-node, ort-web, got 'gpu'$/],
    ['a missing argument', ['vad'], 2, /^rxrnn vad: missing AUDIO$/],
    ['an extra argument', ['vad', 'a.wav', 'b.wav'], 2, /^rxrnn vad: unexpected argument 'b\.wav'$/],
    ['an unknown command', ['vda', 'x.wav'], 2, /^rxrnn: unknown command 'vda'; expected one of vad, run, predict/],
    ['a model that is not a model (info)', ['info', garbageModel], 1, /^rxrnn info: '.*garbage\.onnx' is not a readable ONNX model: /],
    ['a text file as a model (predict)', ['predict', join(ROOT, 'README.md'), '--input', inputs], 1, /^rxrnn predict: '.*README\.md' is not a readable ONNX model: /],
    ['a JSON file that is not a Layers model', ['info', join(ROOT, 'package.json')], 1, /^rxrnn info: '.*package\.json'.*Layers model/],
    ['a missing model', ['run', join(tmp, 'none.onnx'), '--input', inputs], 1, /^rxrnn run: cannot read (model|input file) '.*': no such file$/],
    ['a missing required flag', ['predict', garbageModel], 2, /^rxrnn predict: --input FILE\.json is required$/],
  ])('%s', async (_what, argv, status, pattern) => {
    const r = await cli(argv as string[]);
    expect(r.status).toBe(status);
    expect(r.stdout).toBe('');
    expectOneLine(r.stderr, pattern as RegExp);
  });

  it('prints the stack with --verbose', async () => {
    const r = await cli(['vad', truncated, '--verbose']);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/truncated WAV/);
    expect(r.stderr).toMatch(/^\s+at /m);
  });

  it('exits with the real status codes as a process', async () => {
    const bad = await cliChild(['vad', empty]);
    expect(bad.status).toBe(1);
    expectOneLine(bad.stderr, /^rxrnn vad: cannot decode .*the file is empty/);
    const usage = await cliChild(['info', '--nope']);
    expect(usage.status).toBe(2);
    const help = await cliChild(['vad', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: rxrnn vad \[options\] AUDIO/);
    expect(help.stdout).toMatch(/--min-silence-ms MS/);
  });

  it('gives help for every command and the command list without arguments', async () => {
    for (const c of ['vad', 'run', 'predict', 'generate', 'info', 'conformance', 'convert']) {
      const r = await cli([c, '--help']);
      expect(r.status, c).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: rxrnn ${c} `));
      for (const f of ['--json', '--quiet', '--verbose', '--help']) expect(r.stdout, `${c} ${f}`).toContain(f);
    }
    const none = await cli([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^Usage: rxrnn <command>/);
  });
});
