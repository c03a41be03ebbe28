/** The shape of one `rxrnn` command: its argument table and what it does. */
import type { CommandSpec, ParsedArgs } from './args.js';
import type { CliIo } from './io.js';

export interface Command {
  spec: CommandSpec;
  /** Returns the exit status. Throws for failures; the caller turns them into one line and status 1 or 2. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
