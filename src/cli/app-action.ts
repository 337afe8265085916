/** One admin action on one named app (`islet rm`, `islet rollback`): parse, call, report. */
import { parseCommandArgs } from './args.ts';
import { AdminFailure, adminJson, adminTarget } from './admin-client.ts';
import { EXIT } from './exit.ts';
import type { CliIo } from './main.ts';

/** What an app action does. */
export interface AppAction {
  command: string;
  help: string;
  method: 'DELETE' | 'POST';
  /** The admin API path for the app (URL-encoded name given). */
  path(name: string): string;
  /** The line printed on success. */
  done(name: string, answer: unknown): string;
}

/** Runs an app action with `argv` and resolves with the exit code. */
export async function runAppAction(action: AppAction, argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(action.command, argv, { admin: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, io);
  if (parsed === undefined) return EXIT.USAGE;
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(action.help); return EXIT.OK; }
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) {
    io.err(`islet ${action.command}: ${name === undefined ? 'name the app' : `unexpected argument "${positionals[1] ?? ''}"`}.\nRun "islet ${action.command} --help" for usage.\n`);
    return EXIT.USAGE;
  }
  try {
    const { body } = await adminJson<unknown>(adminTarget(values), action.method, action.path(encodeURIComponent(name)));
    io.out(action.done(name, body));
    return EXIT.OK;
  } catch (error) {
    if (error instanceof AdminFailure) {
      const hint = error.code === 'NO_APP' ? ' "islet apps" lists the deployed apps.' : '';
      io.err(`islet ${action.command}: ${error.message}${hint}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
