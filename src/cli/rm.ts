/** `islet rm <name>` and `islet rollback <name>`: app actions through a running server's admin API. */
import { ADMIN_FLAGS_HELP } from './admin-client.ts';
import { runAppAction } from './app-action.ts';
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

/** Help for `islet rollback`. */
export const ROLLBACK_HELP = `Usage: islet rollback <name> [options]

Serves the version of an app deployed before the current one again, on a running "islet serve"
(through its admin API). The old version is loaded and checked first; the current one drains.

Options:
${ADMIN_FLAGS_HELP}
  -h, --help         show this help

Exit codes: 0 rolled back, 2 bad usage, no such app, no earlier version (VERSION_CONFLICT), a wrong
token or an unreachable admin API, 4 the server failed.
`;

/** Runs `islet rm` and resolves with the exit code. */
export function rmCommand(argv: readonly string[], io: CliIo): Promise<number> {
  return runAppAction({ command: 'rm', help: RM_HELP, method: 'DELETE', path: (name) => `apps/${name}`, done: (name) => `islet: removed "${name}"\n` }, argv, io);
}

/** Runs `islet rollback` and resolves with the exit code. */
export function rollbackCommand(argv: readonly string[], io: CliIo): Promise<number> {
  return runAppAction({
    command: 'rollback', help: ROLLBACK_HELP, method: 'POST', path: (name) => `apps/${name}/rollback`,
    done: (name, answer) => `islet: "${name}" serves version ${String((answer as { version?: unknown }).version)} again\n`,
  }, argv, io);
}
