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
}

/** The op names, in the order they are installed. */
export const OP_NAMES = ['op_console_write', 'op_service_call', 'op_message_emit', 'op_run_settle'] as const satisfies readonly (keyof GuestOps)[];

/** What the guest learns at context start. */
export interface GuestInit {
  /** Dotted paths of the granted services, e.g. "kv.get". */
  services: readonly string[];
  /** The frozen `env` record. */
  env: Readonly<Record<string, unknown>>;
}

/** Why a run settled with an error the prelude classified itself. */
export const SETTLE_UNCLONEABLE = 'UNCLONEABLE_VALUE';
