/** `islet rm <name>`: removes an app from a running `islet serve`, through its admin API. */
import { parseArgs } from 'node:util';
import { ADMIN_FLAGS_HELP, AdminFailure, adminJson, adminTarget } from './admin-client.ts';
import { EXIT } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet rm`. */
export const RM_HELP = `Usage: islet rm <name> [options]

Removes an app from a running "islet serve" (through its admin API): its routes stop taking new
requests, in-flight requests drain, then its isolates are disposed.

Options:
${ADMIN_FLAGS_HELP}
  -h, --help         show this help

Exit codes: 0 removed, 2 bad usage, no such app, a wrong token or an unreachable admin API,
4 the server failed.
`;

/** Runs `islet rm` and resolves with the exit code. */
export async function rmCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: { admin: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.err(`islet rm: ${(error as Error).message.split('\n')[0] ?? ''}\nRun "islet rm --help" for the options.\n`);
    return EXIT.USAGE;
  }
  if (values.help === true) { io.out(RM_HELP); return EXIT.OK; }
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) {
    io.err(`islet rm: ${name === undefined ? 'name the app to remove' : `unexpected argument "${positionals[1] ?? ''}"`}.\nRun "islet rm --help" for usage.\n`);
    return EXIT.USAGE;
  }
  try {
    await adminJson(adminTarget(values), 'DELETE', `apps/${encodeURIComponent(name)}`);
    io.out(`islet: removed "${name}"\n`);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof AdminFailure) {
      const hint = error.code === 'NO_APP' ? ' "islet apps" lists the deployed apps.' : '';
      io.err(`islet rm: ${error.message}${hint}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
