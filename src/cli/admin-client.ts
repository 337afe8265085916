/**
 * The admin API client the `deploy`, `apps`, `rm` and `logs` commands share: where the API is,
 * which token to send, and failures turned into messages that say what to do, with exit codes.
 */
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { EXIT, exitCodeFor } from './exit.ts';

/** The admin API address used when neither --admin nor ISLET_ADMIN_URL is given. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8081';

/** Help lines for the flags every admin command takes. */
export const ADMIN_FLAGS_HELP = `  --admin URL        the admin API (default: $ISLET_ADMIN_URL, else ${DEFAULT_ADMIN_URL})
  --token TOKEN      the admin bearer token (default: $ISLET_ADMIN_TOKEN)`;

/** Where the admin API is and what token to send. */
export interface AdminTarget {
  base: URL;
  token: string | undefined;
  /** Where the token came from, for error messages ("--token", "$ISLET_ADMIN_TOKEN"). */
  tokenFrom: string | undefined;
}

/** A failed admin call: the message to print and the exit code. */
export class AdminFailure extends Error {
  readonly exitCode: number;
  /** The error code the API answered with, when it answered. */
  readonly code: string | undefined;
  constructor(message: string, exitCode: number, code?: string) {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** The admin target from --admin/--token and the environment; an AdminFailure for a bad URL. */
export function adminTarget(flags: { admin?: string | undefined; token?: string | undefined }, env: Record<string, string | undefined> = process.env): AdminTarget {
  const raw = flags.admin ?? env['ISLET_ADMIN_URL'] ?? DEFAULT_ADMIN_URL;
  let base: URL;
  try {
    base = new URL(raw);
  } catch {
    throw new AdminFailure(`--admin expects a URL like ${DEFAULT_ADMIN_URL}, got "${raw}".`, EXIT.USAGE);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new AdminFailure(`--admin expects an http:// or https:// URL, got "${raw}".`, EXIT.USAGE);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  if (flags.token !== undefined) return { base, token: flags.token, tokenFrom: '--token' };
  const fromEnv = env['ISLET_ADMIN_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '') return { base, token: fromEnv, tokenFrom: '$ISLET_ADMIN_TOKEN' };
  return { base, token: undefined, tokenFrom: undefined };
}

/** Calls the admin API; resolves with the response when it is 2xx, else throws an AdminFailure. */
export async function adminCall(target: AdminTarget, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Response> {
  const url = new URL(path.replace(/^\/+/, ''), target.base);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (target.token !== undefined) headers['authorization'] = `Bearer ${target.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method, headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
    });
  } catch (error) {
    throw unreachable(target, error);
  }
  if (response.ok) return response;
  throw await refusal(target, response);
}

/** Calls the admin API and parses its JSON answer. */
export async function adminJson<T>(target: AdminTarget, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ body: T; response: Response }> {
  const response = await adminCall(target, method, path, { timeoutMs: 60_000, ...options });
  const text = await response.text();
  try {
    return { body: JSON.parse(text) as T, response };
  } catch {
    throw new AdminFailure(`the admin API at ${origin(target)} answered ${method} ${path} with something that is not JSON; is ${origin(target)} the admin listener?`, EXIT.INTERNAL);
  }
}

function origin(target: AdminTarget): string {
  return target.base.href.replace(/\/$/, '');
}

function unreachable(target: AdminTarget, error: unknown): AdminFailure {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if ((error as { name?: unknown }).name === 'TimeoutError') {
    return new AdminFailure(`the admin API at ${origin(target)} did not answer in time. Check that it is the admin listener of "islet serve" and that the server is not overloaded.`, EXIT.INTERNAL);
  }
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String((error as Error).message);
  return new AdminFailure(
    `cannot reach the admin API at ${origin(target)} (${why}). Check that "islet serve" is running with an admin listener (an "admin" block in its configuration) at that address, or pass --admin URL.`,
    EXIT.USAGE,
  );
}

async function refusal(target: AdminTarget, response: Response): Promise<AdminFailure> {
  const text = await response.text().catch(() => '');
  let error: { code?: unknown; message?: unknown; problems?: unknown; guest?: unknown } | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: typeof error };
    if (typeof parsed.error === 'object' && parsed.error !== null) error = parsed.error;
  } catch { /* not JSON: reported below */ }
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = typeof error?.message === 'string' ? error.message : text.slice(0, 300).trim() || response.statusText;
  const status = `${response.status}${code === undefined ? '' : ` ${code}`}`;
  if (response.status === 401) {
    const which = target.tokenFrom === undefined
      ? 'No token was sent: pass --token TOKEN or set ISLET_ADMIN_TOKEN.'
      : `The token read from ${target.tokenFrom} is not the server's.`;
    return new AdminFailure(`the admin API at ${origin(target)} refused the call (${status}). ${which} The server reads its token from the environment variable its config's admin.token.fromEnv names (ISLET_ADMIN_TOKEN by default), else from the admin-token file in its data folder (islet serve prints the file's path when it makes a new token).`, EXIT.USAGE, code);
  }
  if (code === 'NO_ROUTE' || code === 'BAD_REQUEST') {
    return new AdminFailure(`${origin(target)} answered ${status} (${message}): it looks like the apps' listener, not the admin API; pass the admin listener's address with --admin.`, EXIT.USAGE, code);
  }
  const problems = Array.isArray(error?.problems) ? (error.problems as unknown[]) : [];
  const lines = problems.map((p) => {
    const { path, message: m } = (typeof p === 'object' && p !== null ? p : {}) as { path?: unknown; message?: unknown };
    return `\n  ${typeof path === 'string' ? path : '$'}: ${typeof m === 'string' ? m : JSON.stringify(p)}`;
  }).join('');
  // A deploy whose app failed to load carries what the guest threw (its stack has guest file names only).
  const guest = (typeof error?.guest === 'object' && error.guest !== null ? error.guest : {}) as { stack?: unknown };
  const stack = typeof guest.stack === 'string' && guest.stack !== '' ? `\n${guest.stack}` : '';
  // The server's message may list the problems itself; print them once.
  const head = lines === '' ? message : message.split('\n')[0] ?? message;
  return new AdminFailure(`the admin API answered ${status}: ${head}${lines}${stack}`, exitCodeOf(response.status, code), code);
}

/** The CLI exit code for an admin API error answer. */
function exitCodeOf(status: number, code: string | undefined): number {
  if (status >= 500) return EXIT.INTERNAL;
  if (code !== undefined && Object.hasOwn(ERROR_CODES, code) && status === 400) {
    const mapped = exitCodeFor(code as ErrorCode);
    if (mapped !== EXIT.INTERNAL) return mapped;
  }
  return EXIT.USAGE;
}
