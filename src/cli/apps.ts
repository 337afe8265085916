/** `islet apps`: lists the apps a running `islet serve` has, through its admin API. */
import { parseArgs } from 'node:util';
import { ADMIN_FLAGS_HELP, AdminFailure, adminJson, adminTarget } from './admin-client.ts';
import { EXIT } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet apps`. */
export const APPS_HELP = `Usage: islet apps [options]

Lists the apps of a running "islet serve" (through its admin API): name, version, status,
requests and errors served, and routes.

Options:
${ADMIN_FLAGS_HELP}
  --json             print the admin API's answer as JSON
  -h, --help         show this help

Exit codes: 0 listed, 2 bad usage, a wrong token or an unreachable admin API, 4 the server failed.
`;

interface AppRow { name?: unknown; version?: unknown; routes?: unknown; status?: unknown; requests?: unknown; errors?: unknown }

/** Runs `islet apps` and resolves with the exit code. */
export async function appsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true,
      options: { admin: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.err(`islet apps: ${(error as Error).message.split('\n')[0] ?? ''}\nRun "islet apps --help" for the options.\n`);
    return EXIT.USAGE;
  }
  if (values.help === true) { io.out(APPS_HELP); return EXIT.OK; }
  try {
    const { body } = await adminJson<{ apps?: AppRow[] }>(adminTarget(values), 'GET', 'apps');
    if (values.json === true) { io.out(`${JSON.stringify(body)}\n`); return EXIT.OK; }
    const apps = Array.isArray(body.apps) ? body.apps : [];
    if (apps.length === 0) { io.out('No apps are deployed.\n'); return EXIT.OK; }
    io.out(table(['NAME', 'VERSION', 'STATUS', 'REQUESTS', 'ERRORS', 'ROUTES'], apps.map((a) => [
      String(a.name ?? ''), String(a.version ?? ''), String(a.status ?? ''), String(a.requests ?? 0), String(a.errors ?? 0),
      Array.isArray(a.routes) ? a.routes.map(String).join(', ') : '',
    ])));
    return EXIT.OK;
  } catch (error) {
    if (error instanceof AdminFailure) { io.err(`islet apps: ${error.message}\n`); return error.exitCode; }
    throw error;
  }
}

/** Rows as columns padded to their widest cell (the last column is not padded). */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[head, ...rows].map(line).join('\n')}\n`;
}
