/** `islet logs [<name>]`: prints (and follows) the logs of a running `islet serve`, through its admin API. */
import { parseCommandArgs } from './args.ts';
import { ADMIN_FLAGS_HELP, AdminFailure, adminCall, adminTarget } from './admin-client.ts';
import { EXIT } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet logs`. */
export const LOGS_HELP = `Usage: islet logs [<name>] [options]

Prints the recent log lines of a running "islet serve" (through its admin API), of one app or of
all: JSON lines, one per request and per guest console call, secrets redacted. With --follow it
keeps printing new lines as they come, until interrupted.

Options:
${ADMIN_FLAGS_HELP}
  -f, --follow       keep printing new lines
  -h, --help         show this help

Exit codes: 0 printed, 2 bad usage, no such app, a wrong token or an unreachable admin API,
4 the server failed or closed the stream.
`;

/** Runs `islet logs` and resolves with the exit code (with --follow, when the server ends the stream). */
export async function logsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('logs', argv, { admin: { type: 'string' }, token: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, help: { type: 'boolean', short: 'h' } }, io);
  if (parsed === undefined) return EXIT.USAGE;
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(LOGS_HELP); return EXIT.OK; }
  if (positionals.length > 1) { io.err(`islet logs: unexpected argument "${positionals[1] ?? ''}"; name at most one app.\n`); return EXIT.USAGE; }
  const query = new URLSearchParams();
  if (positionals[0] !== undefined) query.set('app', positionals[0]);
  if (values.follow === true) query.set('follow', '1');
  const search = query.size === 0 ? '' : `?${query}`;
  try {
    const target = adminTarget(values);
    const response = await adminCall(target, 'GET', `logs${search}`, { headers: { accept: 'application/x-ndjson' }, ...(values.follow === true ? {} : { timeoutMs: 60_000 }) });
    if (response.body === null) return EXIT.OK;
    // Whole lines only, so a line is never interleaved with other output.
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of response.body) {
        pending += decoder.decode(chunk, { stream: true });
        const end = pending.lastIndexOf('\n');
        if (end === -1) continue;
        io.out(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
      }
    } catch (error) {
      io.err(`islet logs: the admin API closed the log stream (${(error as Error).message}).\n`);
      return EXIT.INTERNAL;
    }
    pending += decoder.decode();
    if (pending !== '') io.out(`${pending}\n`);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof AdminFailure) {
      const hint = error.code === 'NO_APP' ? ' "islet apps" lists the deployed apps.' : '';
      io.err(`islet logs: ${error.message}${hint}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
