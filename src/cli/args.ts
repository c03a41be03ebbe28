/**
 * Command-line parsing for every `rxrnn` command: `node:util` `parseArgs` in strict mode, plus the flags all
 * commands share (`--backend`, `--json`, `--quiet`, `--verbose`, `--help`) and help text generated from the
 * same table, so the help can never disagree with what is accepted.
 */
import { parseArgs } from 'node:util';

/** Bad usage: exit status 2, one line, and a pointer to `--help`. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help, e.g. `FILE`. */
  value?: string;
  description: string;
  /** Shown in help; applied by the command, not here. */
  defaultText?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments, e.g. `MODEL` or `DIR...`. */
  args: string;
  /** Fewest and most positionals. */
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  /** Extra help text after the options (examples, formats). */
  details?: string;
  /** Whether `--backend` applies to this command. */
  backend?: boolean;
}

export type BackendChoice = 'builtin' | 'ort-node' | 'ort-web' | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'builtin', 'ort-node', 'ort-web'];

export interface CommonFlags {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
  backend: BackendChoice;
}

export interface ParsedArgs {
  flags: CommonFlags;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const COMMON: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout' },
  quiet: { type: 'boolean', short: 'q', description: 'print only the results, no summary or progress' },
  verbose: { type: 'boolean', short: 'v', description: 'print stack traces and extra detail on errors' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};
const BACKEND: OptionSpec = {
  type: 'string',
  value: 'NAME',
  description: `executor: ${BACKEND_CHOICES.join(', ')}`,
  defaultText: 'auto',
};

function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...(spec.backend ? { backend: BACKEND } : {}), ...COMMON };
}

/** Parses `argv` (without the command name) against `spec`. Throws {@link UsageError} on anything off. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = allOptions(spec);
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [k, o] of Object.entries(options)) config[k] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    // parseArgs' messages are already one readable line ("Unknown option '--foo'...").
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(msg);
  }
  const v = parsed.values;
  const flags: CommonFlags = {
    json: v.json === true,
    quiet: v.quiet === true,
    verbose: v.verbose === true,
    help: v.help === true,
    backend: 'auto',
  };
  if (spec.backend && v.backend !== undefined) {
    if (!(BACKEND_CHOICES as readonly string[]).includes(v.backend as string)) {
      throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${String(v.backend)}'`);
    }
    flags.backend = v.backend as BackendChoice;
  }
  if (!flags.help) {
    const n = parsed.positionals.length;
    if (n < spec.positionals.min) throw new UsageError(`missing ${spec.args}`);
    if (n > spec.positionals.max) {
      throw new UsageError(`unexpected argument '${parsed.positionals[spec.positionals.max]}'`);
    }
  }
  return { flags, values: v, positionals: parsed.positionals };
}

/** A number flag, checked: `--threshold 0.4`. Returns `fallback` when absent. */
export function numberFlag(
  args: ParsedArgs,
  name: string,
  fallback: number,
  check: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  const x = Number(raw);
  const range =
    check.min !== undefined && check.max !== undefined
      ? ` between ${check.min} and ${check.max}`
      : check.min !== undefined
        ? ` ≥ ${check.min}`
        : '';
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || (check.integer && !Number.isInteger(x)) ||
      (check.min !== undefined && x < check.min) || (check.max !== undefined && x > check.max)) {
    throw new UsageError(`--${name} must be ${check.integer ? 'an integer' : 'a number'}${range}, got '${String(raw)}'`);
  }
  return x;
}

/** A string flag's value, or undefined. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const raw = args.values[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** The help text of a command. */
export function helpText(spec: CommandSpec): string {
  const options = allOptions(spec);
  const rows = Object.entries(options).map(([k, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description + (o.defaultText ? ` (default ${o.defaultText})` : '')] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  const lines = [
    `Usage: rxrnn ${spec.name} [options] ${spec.args}`.trimEnd(),
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
  ];
  if (spec.details) lines.push('', spec.details.trimEnd());
  lines.push('', 'Exit status: 0 success, 1 failure, 2 bad usage.');
  return lines.join('\n') + '\n';
}
