/**
 * The wire contract between the host and the guest prelude: the op table the guest may call and the
 * commands the host sends. Everything crossing it is plain data (strings, numbers, arrays, records,
 * byte arrays) that isolated-vm copies; no host object ever crosses.
 */

/** A service argument as the guest prelude encodes it: a plain value, or a host handle. */
export type WireArg = readonly [0, unknown] | readonly [1, number, number];

/** A service result as the host encodes it: a plain value, or a new host handle. */
export type WireResult = readonly [0, unknown] | readonly [1, number, number, string];

/** An error as it crosses the boundary: plain strings only, never a host stack. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** Op results: `[true, value]` or `[false, reason]`. Ops never throw into the guest. */
export type OpResult<T> = readonly [true, T] | readonly [false, string];

/** The ops the guest prelude may call, by name. Each validates its arguments as hostile input. */
export interface GuestOps {
  /** Writes formatted console output: stream 1 is stdout, 2 is stderr. */
  op_console_write(stream: unknown, text: unknown): OpResult<null>;
  /** Starts a host service call; the host later sends a `resolve` command with the returned id. */
  op_service_call(path: unknown, args: unknown): OpResult<number>;
  /** Emits a message to the host's listeners. */
  op_message_emit(event: unknown, data: unknown): OpResult<null>;
  /** Ends the run identified by `token` with a value (ok) or a WireError (not ok). */
  op_run_settle(token: unknown, ok: unknown, payload: unknown): OpResult<null>;
  /** Starts (or restarts) host timer `id`; the host later sends a `timer` command. */
  op_timer_start(id: unknown, delayMs: unknown): OpResult<null>;
  /** Cancels host timer `id`. */
  op_timer_cancel(id: unknown): OpResult<null>;
  /** Returns its argument: the copy in and out is V8's structured clone. */
  op_clone(value: unknown): OpResult<unknown>;
  /** `length` bytes (at most 65536) from the host's CSPRNG. */
  op_random_fill(length: unknown): OpResult<Uint8Array>;
  /** Parses `url` against `base` with the WHATWG URL parser; null when it fails. */
  op_url_parse(url: unknown, base: unknown): OpResult<UrlParts | null>;
  /** Applies a URL setter (`href`, `protocol`, ... `hash`) to `href`; null when an href is invalid. */
  op_url_set(href: unknown, field: unknown, value: unknown): OpResult<UrlParts | null>;
  /** Starts a subrequest (body: bytes, "stream" or null); the host answers with `fetch` commands. */
  op_fetch_start(method: unknown, url: unknown, headers: unknown, body: unknown, redirect: unknown): OpResult<number>;
  /** Sends a request body chunk; false asks the guest to wait for a `drain`. */
  op_fetch_write(id: unknown, chunk: unknown): OpResult<boolean>;
  /** Ends a streamed request body. */
  op_fetch_end(id: unknown): OpResult<null>;
  /** Asks for the next response body chunk. */
  op_fetch_read(id: unknown): OpResult<null>;
  /** Aborts a subrequest. */
  op_fetch_cancel(id: unknown): OpResult<null>;
  /** Starts a crypto.subtle operation on the host; the host answers with a `subtle` command. */
  op_subtle(operation: unknown, args: unknown): OpResult<number>;
  /** Serving: asks for the next request body chunk (answered by an `http` chunk or end command). */
  op_http_read(id: unknown): OpResult<null>;
  /** Serving: the response status line and headers ("name:value" lines joined by "\n"). */
  op_http_head(id: unknown, status: unknown, statusText: unknown, headers: unknown): OpResult<null>;
  /** Serving, in one crossing: head, a whole byte body and the end; `done` when no waitUntil is pending. */
  op_http_respond(id: unknown, status: unknown, statusText: unknown, headers: unknown, body: unknown, done: unknown): OpResult<null>;
  /** Serving: a response body chunk; false asks the guest to wait for a `drain` command. */
  op_http_write(id: unknown, chunk: unknown): OpResult<boolean>;
  /** Serving: the response body is complete. */
  op_http_end(id: unknown): OpResult<null>;
  /** Serving: the request failed (`code` GUEST_EXCEPTION, INVALID_RESPONSE, ...) with the guest's error. */
  op_http_fail(id: unknown, code: unknown, error: unknown): OpResult<null>;
  /** Serving: the response and every ctx.waitUntil promise are done. */
  op_http_done(id: unknown): OpResult<null>;
  /** Serving, in a batch of request starts: request `id` starts now (its CPU time and console lines begin). */
  op_http_mark(id: unknown): OpResult<null>;
  /**
   * Starts one operation on the KV binding named `binding` (a KvRequest whose put value may be a
   * string; `text` asks for a get's value decoded as UTF-8); the host answers with a `kv` command.
   */
  op_kv(binding: unknown, request: unknown, text: unknown): OpResult<number>;
}

/** A parsed URL: href, origin, protocol, username, password, host, hostname, port, pathname, search, hash. */
export type UrlParts = [string, string, string, string, string, string, string, string, string, string, string];

/** The op names, in the order boot receives them. */
export const OP_NAMES = [
  'op_console_write', 'op_service_call', 'op_message_emit', 'op_run_settle', 'op_timer_start', 'op_timer_cancel',
  'op_clone', 'op_random_fill', 'op_url_parse', 'op_url_set',
  'op_fetch_start', 'op_fetch_write', 'op_fetch_end', 'op_fetch_read', 'op_fetch_cancel', 'op_subtle',
  'op_http_read', 'op_http_head', 'op_http_respond', 'op_http_write', 'op_http_end', 'op_http_fail', 'op_http_done', 'op_http_mark',
  'op_kv',
] as const satisfies readonly (keyof GuestOps)[];

/** What the guest learns at context start. */
export interface GuestInit {
  /** Dotted paths of the granted services, e.g. "kv.get". */
  services: readonly string[];
  /** The frozen `env` record. */
  env: Readonly<Record<string, unknown>>;
  /** Names of the KV bindings: each becomes a KVNamespace on `env` (the namespaces stay on the host). */
  kv?: readonly string[];
}

/** Why a run settled with an error the prelude classified itself. */
export const SETTLE_UNCLONEABLE = 'UNCLONEABLE_VALUE';
