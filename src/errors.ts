/** The error classes of islet and their stable codes. Every code is documented in docs/errors.md. */

/** Every stable error code islet produces, with the one-line meaning shown in docs/errors.md. */
export const ERROR_CODES = {
  INVALID_OPTIONS: 'An option passed to islet is missing, of the wrong type, out of range or unknown.',
  INVALID_CONFIG: 'The islet serve configuration is invalid; every problem is listed with its JSON path.',
  INVALID_STATE: 'The call is not allowed in the object\'s current state.',
  ENGINE_UNAVAILABLE: 'The isolate engine cannot load in this process.',
  SYNTAX_ERROR: 'The guest source does not parse.',
  MODULE_NOT_FOUND: 'The guest imported a module that is not provided.',
  PLAN_INVALID: 'A build plan (app.plan.json) is malformed, or an artifact does not match its sha256.',
  GUEST_EXCEPTION: 'The guest threw (or rejected with) a value it did not catch.',
  INVALID_RESPONSE: 'An app\'s fetch handler returned something other than a Response.',
  HOST_SERVICE_ERROR: 'A host service the guest called failed.',
  EGRESS_DENIED: 'The guest fetched a URL its egress policy does not allow.',
  HANDLE_INVALID: 'The guest passed a host handle that is forged, closed, stale or of the wrong kind.',
  UNCLONEABLE_VALUE: 'A value crossing the boundary cannot be structured-cloned.',
  CPU_LIMIT: 'The guest used more CPU time than its budget.',
  WALL_TIMEOUT: 'The run took longer than its wall-clock deadline.',
  MEMORY_LIMIT: 'The guest used more memory than its limit.',
  ISOLATE_CRASHED: 'The isolate or the worker process hosting it died.',
  DISPOSED: 'The sandbox was disposed before or during the call.',
  BAD_REQUEST: 'An HTTP request\'s target or Host header does not make a valid URL.',
  NO_ROUTE: 'No app is routed at the request\'s host and path.',
  BODY_TOO_LARGE: 'A request body is larger than the app\'s requestBodyBytes limit.',
  KV_INVALID: 'A KV binding operation got a malformed argument (key name, value type, option).',
  KV_LIMIT: 'A KV binding operation passed a Workers KV limit (key, value or metadata size, expiration, list limit).',
  APP_UNAVAILABLE: 'The app routed at the request is being removed; it takes no new requests.',
  UNAUTHORIZED: 'An admin API call carried no bearer token, or the wrong one.',
  NO_APP: 'The admin API was asked about an app that does not exist.',
  VERSION_CONFLICT: 'A deploy\'s If-Match names a version the app no longer serves, or there is no version to roll back to.',
  INTERNAL: 'A bug in islet.',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes that mean a limit stopped the run. */
export const LIMIT_CODES: ReadonlySet<ErrorCode> = new Set(['CPU_LIMIT', 'WALL_TIMEOUT', 'MEMORY_LIMIT']);

/** What the guest threw, with guest file names and lines only. */
export interface GuestErrorInfo {
  name: string;
  message: string;
  stack?: string;
  /** A string `code` property of the thrown value, when it had one. */
  code?: string;
}

/** Options for {@link IsletError}. */
export interface IsletErrorOptions<R = unknown> {
  cause?: unknown;
  guest?: GuestErrorInfo;
  receipt?: R;
  /** For INVALID_OPTIONS: the dotted name of the bad option. */
  option?: string;
}

/** The one error class islet throws. `code` is stable; `message` is for people. */
export class IsletError<R = unknown> extends Error {
  readonly code: ErrorCode;
  /** What the guest threw, for GUEST_EXCEPTION, SYNTAX_ERROR and HOST_SERVICE_ERROR. */
  readonly guest: GuestErrorInfo | undefined;
  /** The receipt of the run that failed, when the error ends a run. */
  receipt: R | undefined;
  /** For INVALID_OPTIONS: the dotted name of the bad option. */
  readonly option: string | undefined;

  constructor(code: ErrorCode, message: string, options: IsletErrorOptions<R> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IsletError';
    this.code = code;
    this.guest = options.guest;
    this.receipt = options.receipt;
    this.option = options.option;
  }

  /** Whether `value` is an IsletError, across realms and copies (checks the shape, not the prototype). */
  static is(value: unknown): value is IsletError {
    return value instanceof IsletError ||
      (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'IsletError' &&
        typeof (value as { code?: unknown }).code === 'string' && Object.hasOwn(ERROR_CODES, (value as { code: string }).code));
  }
}

/** Shorthand for an INVALID_OPTIONS error naming the option. */
export function invalidOption(option: string, problem: string): IsletError {
  return new IsletError('INVALID_OPTIONS', `Invalid option "${option}": ${problem}`, { option });
}
