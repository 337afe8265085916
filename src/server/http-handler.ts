/**
 * The HTTP side of serving apps: one request in, routed by Host and path to an app, run through a
 * backend (the isolates in this process, or the shards), streamed both ways with backpressure,
 * failures mapped to JSON errors with fitting statuses (never a stack trace, host path or secret),
 * one log line per request, /healthz and /readyz. The server process uses it with its own
 * routing table and backend.
 */
import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../errors.ts';
import type { RequestHead, RequestIo, RequestOutcome } from '../sandbox/core.ts';
import type { AppConfig } from './config.ts';
import type { Logger } from './log.ts';

/** HTTP statuses for error codes that reach clients. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400, NO_ROUTE: 404, APP_UNAVAILABLE: 503, BODY_TOO_LARGE: 413, GUEST_EXCEPTION: 500, INVALID_RESPONSE: 500, SYNTAX_ERROR: 500, MODULE_NOT_FOUND: 500,
  HOST_SERVICE_ERROR: 500, EGRESS_DENIED: 500, UNCLONEABLE_VALUE: 500, INTERNAL: 500, ISOLATE_CRASHED: 502,
  CPU_LIMIT: 503, MEMORY_LIMIT: 503, DISPOSED: 503, WALL_TIMEOUT: 504,
};

/** What clients are told, by code: no guest message (it may hold secrets), no stack, no path. */
const CLIENT_MESSAGE: Partial<Record<string, string>> = {
  BAD_REQUEST: 'The request target or Host header is not a valid URL.',
  NO_ROUTE: 'No app is routed at this host and path.',
  BODY_TOO_LARGE: 'The request body is larger than this app accepts.',
  GUEST_EXCEPTION: 'The app threw an exception.',
  INVALID_RESPONSE: 'The app did not return a Response.',
  SYNTAX_ERROR: 'The app failed to load.',
  MODULE_NOT_FOUND: 'The app failed to load.',
  CPU_LIMIT: 'The app used more CPU time than it is allowed.',
  MEMORY_LIMIT: 'The app used more memory than it is allowed.',
  WALL_TIMEOUT: 'The app took too long to respond.',
  ISOLATE_CRASHED: 'The app\'s isolate crashed.',
  APP_UNAVAILABLE: 'The app is being removed and takes no new requests.',
};

/**
 * The request's URL from its target (origin-form "/p?q", or absolute-form "http://h/p") and Host
 * header; null when they do not make a valid http URL or name credentials (a hostile or broken
 * request: a Request cannot hold a URL with credentials).
 */
export function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '';
  if (/^https?:\/\//i.test(target)) {
    const absolute = URL.parse(target);
    return absolute !== null && (absolute.protocol === 'http:' || absolute.protocol === 'https:') && absolute.username === '' && absolute.password === '' ? absolute : null;
  }
  if (!target.startsWith('/')) return null;
  const host = req.headers.host;
  if (host === undefined || host === '' || /[\s/\\?#@]/.test(host)) return null;
  const url = URL.parse(`http://${host}${target}`);
  return url !== null && url.host !== '' ? url : null;
}

/** What routing and the guest need of a request's URL (see requestUrl). */
export interface RequestTarget { host: string; path: string; href: string }

/**
 * requestUrl's answer for a request, from a cache of recent ones (a server sees the same few
 * targets over and over; parsing is pure): at most TARGET_CACHE_SIZE entries, cleared when full,
 * so a client sending endless distinct targets costs parsing, never memory.
 */
const targets = new Map<string, RequestTarget | null>();
const TARGET_CACHE_SIZE = 1024;
function requestTarget(req: IncomingMessage): RequestTarget | null {
  const key = `${req.headers.host ?? ''}\n${req.url ?? ''}`;
  const known = targets.get(key);
  if (known !== undefined) return known;
  const url = requestUrl(req);
  const target = url === null ? null : { host: url.host, path: `${url.pathname}${url.search}`, href: url.href };
  if (targets.size >= TARGET_CACHE_SIZE) targets.clear();
  if (key.length <= 2048) targets.set(key, target);
  return target;
}

/** Whole bodies up to this size are written with their head in one write (see nodeIo's endWith). */
const SMALL_BODY = 16 * 1024;

/** Response headers that belong to the connection, not the app (RFC 9110 section 7.6.1). */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** How the server watches one request body. */
interface BodyHooks {
  /** The largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Called once when the body passes bodyLimit. */
  onTooLarge(): void;
  /** Called before the response's first byte is written (`now`: it is written at once, not held). */
  answering?(now: boolean): void;
}

/** An app as routing finds it: the version it serves, and whether it is being removed. */
export interface RoutedApp {
  config: AppConfig;
  state: 'serving' | 'removing';
}

/** What an {@link HttpHandler} uses from the server around it. */
export interface HttpHandlerOptions<A extends RoutedApp> {
  log: Logger;
  /** Runs a request in the app's isolate (never rejects). */
  backend: { handle(id: string, head: RequestHead, io: RequestIo, requestId: string, onAbort: (abort: () => void) => void): Promise<RequestOutcome> };
  /** The app routed at a host and path (path with its query), or undefined. */
  match(host: string, path: string): A | undefined;
  /** Counts a request into an app version (right after match, before any await). */
  enter(id: string, req: IncomingMessage, requestId: string): void;
  /** Counts it out again, with whether it succeeded. */
  leave(app: A, id: string, ok: boolean, req: IncomingMessage): void;
  /**
   * Called before the first byte of a routed request's response is written (held responses: when
   * they are made; the turn's `beforeTurn` runs before they go out).
   */
  answering?(req: IncomingMessage, now: boolean): void;
  /** Called at the end of each turn before held starts and responses run. */
  beforeTurn?(): void;
  /**
   * Records one answered request (metrics); `app` is undefined when no app was routed;
   * `longestEntryMs` is the CPU of its longest isolate entry.
   */
  observe(app: string | undefined, status: number, durationMs: number, cpuMs: number, code: string | undefined, longestEntryMs: number): void;
  /**
   * Hold request starts and whole responses to the end of the event-loop turn: for isolates that
   * run in this process (see TurnQueue).
   */
  holdToTurnEnd: boolean;
}

/** Answers HTTP requests for the apps a server routes to. */
export class HttpHandler<A extends RoutedApp> {
  readonly #o: HttpHandlerOptions<A>;
  readonly #log: Logger;
  /** Request starts and whole responses held to the end of the event-loop turn. */
  readonly #turn: TurnQueue;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  /** While draining, /readyz answers 503 and every response closes its connection. */
  draining = false;

  constructor(options: HttpHandlerOptions<A>) {
    this.#o = options;
    this.#log = options.log;
    this.#turn = new TurnQueue(options.beforeTurn);
  }

  /** Requests being handled now. */
  get inFlight(): number { return this.#inFlight; }

  /** Resolves when no request is in flight, or after `timeoutMs`. */
  async whenIdle(timeoutMs: number): Promise<void> {
    if (this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => { this.#idle.push(resolve); }),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); timer.unref(); }),
      ]);
      clearTimeout(timer);
    }
    // Responses held to the end of the turn go out before the caller closes connections.
    await new Promise<void>((resolve) => { setImmediate(resolve); });
  }

  /** The request listener for node:http. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => { void this.#handle(req, res); };

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = this.#nextRequestId();
    const path = req.url ?? '/';
    if (path === '/healthz' || path === '/readyz') {
      const ready = path === '/healthz' || !this.draining;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ ok: ready }));
      return;
    }
    if (this.draining) res.setHeader('connection', 'close');
    const target = requestTarget(req);
    if (target === null) {
      res.setHeader('connection', 'close');
      this.#respondError(res, 'BAD_REQUEST', requestId);
      this.#logRequest(req, 400, started, requestId, undefined, 'BAD_REQUEST', 0);
      return;
    }
    const live = this.#o.match(target.host, target.path);
    if (live === undefined) {
      this.#respondError(res, 'NO_ROUTE', requestId);
      this.#logRequest(req, res.statusCode, started, requestId, undefined, 'NO_ROUTE', 0);
      return;
    }
    const app = live.config;
    if (live.state === 'removing') {
      res.setHeader('retry-after', '5');
      this.#respondError(res, 'APP_UNAVAILABLE', requestId);
      this.#logRequest(req, 503, started, requestId, app.name, 'APP_UNAVAILABLE', 0);
      return;
    }
    const limit = app.limits.requestBodyBytes;
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      res.setHeader('connection', 'close');
      this.#respondError(res, 'BODY_TOO_LARGE', requestId);
      this.#logRequest(req, 413, started, requestId, app.name, 'BODY_TOO_LARGE', 0);
      req.resume();
      return;
    }
    this.#inFlight += 1;
    this.#o.enter(app.id, req, requestId);
    let ok = false;
    let tooLarge = false;
    let abort: (() => void) | undefined;
    let clientGone = false;
    res.on('close', () => { if (!res.writableFinished) { clientGone = true; abort?.(); } });
    try {
      const method = req.method ?? 'GET';
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
      const hasBody = method !== 'GET' && method !== 'HEAD' && (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined);
      const inProcess = this.#o.holdToTurnEnd;
      const answering = this.#o.answering;
      let answered = false;
      const io = nodeIo(req, res, {
        bodyLimit: limit, onTooLarge: () => { tooLarge = true; abort?.(); },
        // Once per request: before its first byte.
        ...(answering === undefined ? {} : { answering: (now: boolean) => { if (!answered) { answered = true; answering(req, now); } } }),
      }, inProcess ? this.#turn : undefined);
      // In one process, the requests that arrived in this turn start together once it ends: their
      // isolate entries run back to back (and batch), instead of alternating with HTTP parsing.
      if (inProcess) await new Promise<void>((resolve) => { this.#turn.push(resolve); });
      const outcome = await this.#o.backend.handle(app.id, { method, url: target.href, headers, hasBody }, io, requestId, (fn) => { abort = fn; if (clientGone) fn(); });
      let code = outcome.ok ? undefined : (outcome.error?.code ?? 'INTERNAL');
      if (tooLarge) code = 'BODY_TOO_LARGE';
      ok = code === undefined;
      if (code !== undefined) {
        io.flush?.();
        if (!answered) { answered = true; this.#o.answering?.(req, true); }
        if (!outcome.responded && !res.headersSent) {
          if (tooLarge) res.setHeader('connection', 'close');
          this.#respondError(res, code, requestId);
        } else if (!res.writableFinished) {
          res.destroy(); // the head went out: the only honest signal left is a broken stream
        }
        if (!res.writableEnded && !res.destroyed) res.end();
      }
      this.#logRequest(req, res.statusCode, started, requestId, app.name, code, outcome.usage.cpuMs, outcome.shard, outcome.longestEntryMs);
      if (code !== undefined && outcome.error !== undefined) {
        this.#log.log({ type: 'error', app: app.name, requestId, code, message: outcome.error.message, stack: outcome.error.guest?.stack });
      }
    } finally {
      this.#o.leave(live, app.id, ok, req);
      this.#inFlight -= 1;
      if (this.#inFlight === 0 && this.#idle.length > 0) { const idle = this.#idle; this.#idle = []; for (const fn of idle) fn(); }
    }
  }

  /** Request ids: a random per-process prefix and a counter (unique, cheap, 16 hex digits). */
  readonly #idPrefix = randomBytes(4).toString('hex');
  #idCounter = 0;
  #nextRequestId(): string {
    this.#idCounter = (this.#idCounter + 1) >>> 0;
    return this.#idPrefix + this.#idCounter.toString(16).padStart(8, '0');
  }

  #respondError(res: ServerResponse, code: string, requestId: string): void {
    const { status, body } = errorResponse(code, requestId);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' }).end(body);
  }

  #logRequest(req: IncomingMessage, status: number, started: number, requestId: string, app: string | undefined, code: string | undefined, cpuMs: number, shard?: number, longestEntryMs = 0): void {
    const durationMs = performance.now() - started;
    this.#o.observe(app, status, durationMs, cpuMs, code, longestEntryMs);
    logRequestLine(this.#log, { app, requestId, method: req.method ?? '', url: req.url ?? '/', status, durationMs, cpuMs, code, shard });
  }
}

/** What a client is told for an error code: its status and JSON body (no guest message, stack or path). */
export function errorResponse(code: string, requestId: string): { status: number; body: string } {
  return {
    status: STATUS[code as keyof typeof STATUS] ?? 500,
    body: JSON.stringify({ error: { code, message: CLIENT_MESSAGE[code] ?? 'The request failed.', requestId } }),
  };
}

/** Writes a request's log line: its path without the query, times to 0.01 ms. */
export function logRequestLine(log: Logger, r: { app: string | undefined; requestId: string; method: string; url: string; status: number; durationMs: number; cpuMs: number; code: string | undefined; shard: number | undefined }): void {
  const query = r.url.indexOf('?');
  log.request({
    app: r.app ?? null, requestId: r.requestId, method: r.method, path: query === -1 ? r.url : r.url.slice(0, query), status: r.status,
    durationMs: Math.round(r.durationMs * 100) / 100, cpuMs: Math.round(r.cpuMs * 100) / 100, code: r.code ?? null, shard: r.shard,
  });
}

/**
 * Work held to the end of the event-loop turn and run together (in the check phase). In one
 * process, writing each response as soon as the guest makes it wakes the client for every response
 * and interleaves HTTP with isolate entries; holding starts and whole responses to the end of the
 * turn answers a burst of requests with one wake-up (measured: 211 to 76 us of CPU per hello-world
 * request, see docs/benchmarks.md).
 */
export class TurnQueue {
  #tasks: (() => void)[] = [];
  readonly #before: (() => void) | undefined;

  constructor(before?: () => void) {
    this.#before = before;
  }

  push(task: () => void): void {
    this.#tasks.push(task);
    if (this.#tasks.length === 1) setImmediate(this.#run);
  }

  readonly #run = (): void => {
    const tasks = this.#tasks;
    this.#tasks = [];
    this.#before?.();
    for (const task of tasks) task();
  };
}

/** A RequestIo that can also send a response it holds at once. */
type NodeIo = RequestIo & { flush?: () => void };

/**
 * Bridges Node's request and response to the guest with backpressure on both sides. With `turn`,
 * a whole response (endWith) is held to the end of the turn; `flush` sends it at once.
 */
function nodeIo(req: IncomingMessage, res: ServerResponse, hooks: BodyHooks, turn?: TurnQueue): NodeIo {
  let ended = false;
  let received = 0;
  let failed: Error | undefined;
  let held: (() => void) | undefined;
  const flush = (): void => { const send = held; held = undefined; send?.(); };
  // The guest's head is kept until the first byte goes out, then written with writeHead in one
  // call (no setHeader per header); until then a failure can still answer with a clean error head.
  // Flat (name, value, name, value...): the form writeHead also takes after setHeader calls (the
  // server's own Connection: close while draining), where a list of pairs would be misread.
  let head: { status: number; statusText: string; headers: string[]; length: string | undefined } | undefined;
  /** Writes the head; a streamed body may keep the guest's Content-Length, which Node then holds it to. */
  const commit = (streamed: boolean): void => {
    const h = head;
    if (h === undefined) return;
    head = undefined;
    if (streamed && h.length !== undefined) { h.headers.push('content-length', h.length); res.strictContentLength = true; }
    if (h.statusText === '') res.writeHead(h.status, h.headers); else res.writeHead(h.status, h.statusText, h.headers);
  };
  req.on('end', () => { ended = true; });
  req.on('error', (e) => { failed = e; });
  return {
    readBody(): Promise<Uint8Array | null> {
      return new Promise((resolve, reject) => {
        const attempt = (): void => {
          if (failed !== undefined) { reject(failed); return; }
          const chunk = req.read() as Buffer | null;
          if (chunk !== null) {
            cleanup();
            received += chunk.length;
            if (received > hooks.bodyLimit) { hooks.onTooLarge(); reject(new Error('the request body is too large')); return; }
            resolve(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
            return;
          }
          if (ended || req.readableEnded) { cleanup(); resolve(null); return; }
        };
        const onError = (e: Error): void => { cleanup(); reject(e); };
        const cleanup = (): void => { req.off('readable', attempt); req.off('end', attempt); req.off('error', onError); req.off('close', onClose); };
        const onClose = (): void => { if (!req.readableEnded) { cleanup(); reject(new Error('the client closed the connection')); } };
        req.on('readable', attempt);
        req.on('end', attempt);
        req.on('error', onError);
        req.on('close', onClose);
        attempt();
      });
    },
    head(status, statusText, headers): void {
      // Names come lowercased from the guest's Headers. Checked here, as setHeader would, so that
      // a head Node cannot send (a control character in a value) fails now, not when it goes out.
      // The connection's framing is the server's, not the app's: hop-by-hop headers are dropped
      // and a whole body is sent with its own length, so a response cannot end early or run on
      // into the next response on a kept-alive connection (which may be another app's).
      let length: string | undefined;
      const flat: string[] = [];
      for (const [name, value] of headers) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
        if (HOP_BY_HOP.has(name)) continue;
        if (name === 'content-length') { length = value; continue; }
        flat.push(name, value);
      }
      head = { status, statusText, headers: flat, length };
    },
    endWith(body): void {
      // A whole body: send it with its length in one write (no chunked encoding, no second packet).
      // No body: a HEAD response may say how long the body would be.
      if (head !== undefined) {
        if (body !== null) head.headers.push('content-length', String(body.length));
        else if (head.length !== undefined && req.method === 'HEAD') head.headers.push('content-length', head.length);
      }
      // A small body goes as a latin1 string (the same bytes): Node then writes the head and the
      // body as one string in one write, where bytes would go as two chunks of a writev.
      const text = body !== null && body.length <= SMALL_BODY ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1') : undefined;
      const send = (): void => { commit(false); if (text !== undefined) res.end(text, 'latin1'); else if (body === null) res.end(); else res.end(body); };
      if (turn === undefined) { hooks.answering?.(true); send(); return; }
      hooks.answering?.(false);
      held = send;
      turn.push(() => { flush(); });
    },
    flush,
    // A streamed body longer or shorter than the Content-Length the app gave makes Node throw:
    // the stream is cut (the only honest signal left), never continued past its length.
    write: (chunk) => {
      hooks.answering?.(true);
      commit(true);
      try { return res.write(chunk); } catch { res.destroy(); return true; }
    },
    drained: () => new Promise((resolve) => { if (!res.writableNeedDrain || res.destroyed) resolve(); else { res.once('drain', () => resolve()); res.once('close', () => resolve()); } }),
    end: () => { hooks.answering?.(true); commit(true); try { res.end(); } catch { res.destroy(); } },
  };
}
