/** The islet command line: picks a command; each command parses its own arguments. */
import { runCommand, RUN_HELP } from './run.ts';
import { serveCommand } from './serve.ts';
import { buildCommand } from './build.ts';
import { deployCommand } from './deploy.ts';
import { appsCommand } from './apps.ts';
import { rmCommand, rollbackCommand } from './rm.ts';
import { logsCommand } from './logs.ts';
import { EXIT } from './exit.ts';

/** The top-level help text. */
export const HELP = `islet: run code you did not write, in V8 isolates with hard limits.

Usage:
  islet run <file> [options] [-- args...]   Run a .js or .ts module and print its output and result
  islet serve <app.ts> | --config FILE      Serve apps (export default { fetch }) over HTTP
  islet build <app.ts> [--out DIR]          Bundle an app into app.js + app.js.map + app.plan.json
  islet deploy <app.ts | app.plan.json>     Deploy an app to a running server's admin API
  islet apps                                List the apps of a running server
  islet rm <name>                           Remove an app from a running server
  islet rollback <name>                     Serve an app's previous version again
  islet logs [<name>] [--follow]            Print (and follow) a running server's logs
  islet --help                              Show this help
  islet <command> --help                    Show the options of a command

Exit codes:
  0  success
  1  the guest threw, or its code does not parse
  2  bad usage: unknown flag, missing file, invalid value, invalid build plan; for the admin
     commands also a wrong token, an unreachable admin API or a refused request
  3  a limit stopped the run (CPU_LIMIT, WALL_TIMEOUT, MEMORY_LIMIT)
  4  internal failure (islet itself, or a crashed isolate)
`;

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === 'run') return runCommand(rest, io);
  if (command === 'serve') return serveCommand(rest, io);
  if (command === 'build') return buildCommand(rest, io);
  if (command === 'deploy') return deployCommand(rest, io);
  if (command === 'apps') return appsCommand(rest, io);
  if (command === 'rm') return rmCommand(rest, io);
  if (command === 'rollback') return rollbackCommand(rest, io);
  if (command === 'logs') return logsCommand(rest, io);
  io.err(`islet: unknown command "${command}". Run "islet --help" for the commands.\n`);
  return EXIT.USAGE;
}

/** Where the CLI writes. Tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

function processIo(): CliIo {
  return { out: (t) => { process.stdout.write(t); }, err: (t) => { process.stderr.write(t); } };
}

export { RUN_HELP };
