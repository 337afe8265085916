/** Argument parsing shared by the commands: Node's parseArgs, strict, with one usage message for every command. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { CliIo } from './main.ts';

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O }>>;

/**
 * Parses `argv` for `islet <command>`; on a bad flag writes the usage error (pointing at
 * `--help`) and returns undefined, so the command exits with EXIT.USAGE.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(command: string, argv: readonly string[], options: O, io: CliIo): Parsed<O> | undefined {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    io.err(`islet ${command}: ${(error as Error).message.split('\n')[0] ?? ''}\nRun "islet ${command} --help" for the options.\n`);
    return undefined;
  }
}
