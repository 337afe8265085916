/**
 * The app side of `islet serve`: an app module's default export `{ fetch(request, env, ctx) }`
 * receives each request the host hands in; the response head and body go back through ops,
 * streamed with backpressure. `ctx.waitUntil(promise)` keeps the request's scope open (within its
 * limits) until the promise settles.
 */
import type { GuestOps } from '../bridge/protocol.ts';
import {
  MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, PromiseCtor, PromiseResolve, PromisePrototypeThen, ReflectApply, SafeMap,
  TypeErrorCtor, ArrayPrototypePush, ObjectFreeze, StringPrototypeSplit, StringPrototypeIndexOf, StringPrototypeSlice, DateNow, NumberCtor,
} from './00-primordials.ts';
import type { ReadableByteStreamController, ReadableStream } from './vendor/web-streams-polyfill.mjs';
import { streams } from './13-streams.ts';
import { AbortController } from './05-abort.ts';
import { incomingRequest, isResponse, responseHead, responseInnerBody, type Request, type Response } from './18-request-response.ts';
import { trustedRequestHeaders } from './15-headers.ts';
import { bufferSourceBytes } from './06-encoding.ts';
import { bodyStream } from './17-body.ts';

interface App { fetch(request: Request, env: unknown, ctx: unknown): unknown }
interface Head { method: string; url: string; headers: [string, string][]; hasBody: boolean }
type Controller = ReadableByteStreamController;
interface Exchange {
  controller: Controller | undefined;
  pull: (() => void) | undefined;
  drain: (() => void) | undefined;
  abort: AbortController;
  waitUntil: Promise<unknown>[];
  done: boolean;
}

let ops: GuestOps;
let app: App | undefined;
let env: unknown;
const exchanges = new SafeMap<number, Exchange>();
let report: (where: string, error: unknown) => void = () => {};

/** Connects serving to the ops, the app's env and error reporting (called at boot). */
export function setServeOps(o: GuestOps, appEnv: unknown, reportError: (where: string, error: unknown) => void): void {
  ops = o;
  env = appEnv;
  report = reportError;
}

/** Registers the app module's default export; throws a TypeError when it is not a fetch handler. */
export function registerApp(candidate: unknown): void {
  if (typeof candidate !== 'object' || candidate === null || typeof (candidate as App).fetch !== 'function') {
    throw new TypeErrorCtor('The app module must export default an object with a fetch(request, env, ctx) method.');
  }
  app = candidate as App;
}

/**
 * Whole responses made during the host's current entry, collected rather than sent through an op:
 * the host reads them from the entry's result (isolated-vm copies a result after the entry's
 * microtasks have run, so responses made in them are there too). Flat, six fields a response:
 * id, status, statusText, packed headers, body bytes or null, done. Open (an array) only during
 * an entry that returns it (a request start or event); the dispatcher closes it at every entry.
 */
let outbox: unknown[] | null = null;
/** The request whose start is running now in a batch (0 between starts), and the last one marked. */
let starting = 0;
let marked = 0;

/** Closes the outbox (at the start of every host entry: only the entry that opened it returns it). */
export function closeOutbox(): void {
  outbox = null;
  starting = 0;
  marked = 0;
}

/**
 * The request that must be marked (op_http_mark) before an op runs, or 0: in a batch of starts the
 * host learns which request is running only when that request calls an op (its console lines,
 * host calls and timers belong to it), so a request that calls none costs no crossing.
 */
export function pendingMark(): number {
  if (starting === marked) return 0;
  marked = starting;
  return starting;
}

/** The request whose start was running when an entry failed (0 when none was): the host asks after a timeout. */
export function startingRequest(): number {
  return starting;
}

/** Handles a host event for request `id` (called by the dispatcher); returns the responses made meanwhile. */
export function onHttpEvent(id: number, kind: string, payload: unknown): unknown[] {
  const out: unknown[] = [];
  outbox = out;
  if (kind === 'start') { start(id, unpackHead(payload as string)); return out; }
  const ex = MapPrototypeGet(exchanges, id) as Exchange | undefined;
  if (ex === undefined) return out;
  switch (kind) {
    case 'chunk': { const pull = ex.pull; ex.pull = undefined; if (ex.controller !== undefined) streams().byteControllerEnqueue(ex.controller, payload as Uint8Array); pull?.(); return out; }
    case 'end': { const pull = ex.pull; ex.pull = undefined; if (ex.controller !== undefined) streams().byteControllerClose(ex.controller); ex.controller = undefined; pull?.(); return out; }
    case 'drain': { const drain = ex.drain; ex.drain = undefined; drain?.(); return out; }
    case 'abort': {
      ex.abort.abort(new DOMException('The client closed the connection', 'AbortError'));
      if (ex.controller !== undefined) streams().byteControllerError(ex.controller, new TypeErrorCtor('The client closed the connection before the request body ended'));
      ex.controller = undefined;
      const pull = ex.pull; ex.pull = undefined; pull?.();
      const drain = ex.drain; ex.drain = undefined; drain?.();
      return out;
    }
    default: return out;
  }
}

/**
 * Starts several requests in one entry (the host batches the starts of one turn). Returns how
 * long each start ran by the millisecond clock (one figure per request, for the host to split the
 * entry's CPU time by), then the responses made meanwhile. A request is marked to the host only
 * when it calls an op (see pendingMark).
 */
export function startHttpBatch(batch: string): unknown[] {
  const out: unknown[] = [];
  // One string, so that it crosses without a structured-clone copy: each start is its id and its
  // packed head (see unpackHead), starts are separated by an empty line (a packed head has none).
  const starts = StringPrototypeSplit(batch, '\n\n');
  // Starts run synchronously and responses come in microtasks after them: the figures come first.
  let before = DateNow();
  for (let i = 0; i < starts.length; i++) {
    const packed = starts[i] as string;
    const newline = StringPrototypeIndexOf(packed, '\n');
    starting = NumberCtor(StringPrototypeSlice(packed, 0, newline));
    start(starting, unpackHead(StringPrototypeSlice(packed, newline + 1)));
    const now = DateNow();
    ArrayPrototypePush(out, now - before);
    before = now;
  }
  starting = 0;
  marked = 0;
  outbox = out;
  return out;
}

/** The head the host packs into one string: "METHOD\nurl\n0|1\nname:value\n...". */
function unpackHead(packed: string): Head {
  const lines = StringPrototypeSplit(packed, '\n');
  const headers: [string, string][] = [];
  for (let i = 3; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = StringPrototypeIndexOf(line, ':');
    headers[i - 3] = [StringPrototypeSlice(line, 0, colon), StringPrototypeSlice(line, colon + 1)];
  }
  return { method: lines[0] as string, url: lines[1] as string, hasBody: lines[2] === '1', headers };
}

/** Response headers packed as "name:value" lines (names have no ":" and values no line breaks). */
function packHeaders(list: readonly [string, string][]): string {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    const h = list[i] as [string, string];
    out += i === 0 ? `${h[0]}:${h[1]}` : `\n${h[0]}:${h[1]}`;
  }
  return out;
}

function start(id: number, head: Head): void {
  const ex: Exchange = { controller: undefined, pull: undefined, drain: undefined, abort: new AbortController(), waitUntil: [], done: false };
  MapPrototypeSet(exchanges, id, ex);
  if (app === undefined) { fail(id, ex, 'INTERNAL', new TypeErrorCtor('No app is loaded.')); return; }
  let request: Request;
  try {
    const body = head.hasBody ? new (streams().ReadableStream)<Uint8Array>({
      type: 'bytes',
      start(controller: Controller) { ex.controller = controller; },
      pull() { return new PromiseCtor<void>((resolve) => { ex.pull = resolve; ops.op_http_read(id); }); },
    } as never) : null;
    request = incomingRequest(head.url, head.method, trustedRequestHeaders(head.headers), body, ex.abort.signal);
  } catch (error) {
    fail(id, ex, 'GUEST_EXCEPTION', error);
    return;
  }
  const ctx = ObjectFreeze({
    waitUntil(promise: unknown): void {
      ArrayPrototypePush(ex.waitUntil, PromisePrototypeThen(PromiseResolve(promise), undefined, (error) => { report('ctx.waitUntil', error); }) as Promise<unknown>);
    },
    passThroughOnException(): void {},
  });
  let result: unknown;
  try {
    result = ReflectApply(app.fetch, app, [request, env, ctx]);
  } catch (error) {
    fail(id, ex, 'GUEST_EXCEPTION', error);
    return;
  }
  PromisePrototypeThen(PromiseResolve(result), (response) => { void respond(id, ex, response); }, (error) => { fail(id, ex, 'GUEST_EXCEPTION', error); });
}

async function respond(id: number, ex: Exchange, response: unknown): Promise<void> {
  if (!isResponse(response)) {
    fail(id, ex, 'INVALID_RESPONSE', new TypeErrorCtor(`The app's fetch handler returned ${response === null ? 'null' : typeof response}, not a Response.`));
    return;
  }
  // Read from the Response's internal slots, not its getters: an app's patches to Response.prototype
  // or ReadableStream.prototype cannot make serving it throw (and hang the request).
  const head = responseHead(response);
  const headers = packHeaders(head.headers);
  const inner = responseInnerBody(response);
  if (inner === null || (inner.stream === null && inner.bytes !== null && !inner.used)) {
    // The common case in one crossing: head, the whole body, the end (and done, without waitUntil).
    const bytes = inner === null ? null : inner.bytes;
    if (inner !== null) inner.used = true;
    const done = ex.waitUntil.length === 0;
    if (done) { ex.done = true; MapPrototypeDelete(exchanges, id); }
    if (outbox !== null) ArrayPrototypePush(outbox, id, head.status, head.statusText, headers, bytes, done);
    else ops.op_http_respond(id, head.status, head.statusText, headers, bytes, done);
    if (!done) await finish(id, ex);
    return;
  }
  ops.op_http_head(id, head.status, head.statusText, headers);
  try {
    const { acquireReader, readerRead } = streams();
    const reader = acquireReader(bodyStream(inner));
    for (;;) {
      const { value, done } = await readerRead(reader);
      if (done || ex.abort.signal.aborted) break;
      const written = ops.op_http_write(id, bufferSourceBytes(value, 'response body'));
      if (written[0] === true && written[1] === false) await new PromiseCtor<void>((resolve) => { ex.drain = resolve; });
    }
  } catch (error) {
    fail(id, ex, 'GUEST_EXCEPTION', error);
    return;
  }
  ops.op_http_end(id);
  await finish(id, ex);
}

async function finish(id: number, ex: Exchange): Promise<void> {
  for (let i = 0; i < ex.waitUntil.length; i++) await ex.waitUntil[i]; // may grow while waiting
  if (ex.done) return;
  ex.done = true;
  MapPrototypeDelete(exchanges, id);
  ops.op_http_done(id);
}

function fail(id: number, ex: Exchange, code: string, error: unknown): void {
  if (ex.done) return;
  let name = 'Error';
  let message = String(error);
  let stack: string | undefined;
  try {
    const e = error as { name?: unknown; message?: unknown; stack?: unknown };
    if (typeof e?.name === 'string') name = e.name;
    if (typeof e?.message === 'string') message = e.message;
    if (typeof e?.stack === 'string') stack = e.stack;
  } catch { /* a hostile error object */ }
  ops.op_http_fail(id, code, stack === undefined ? { name, message } : { name, message, stack });
  void finish(id, ex);
}
