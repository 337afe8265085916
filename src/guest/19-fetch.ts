/**
 * fetch() (https://fetch.spec.whatwg.org/#fetch-method), proxied to the host: the host makes the
 * request under the sandbox's egress policy; bodies stream both ways with backpressure, and the
 * request's signal cancels the host request. Denials are TypeErrors with code "EGRESS_DENIED".
 */
import type { GuestOps } from '../bridge/protocol.ts';
import { MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, ObjectDefineProperty, PromiseCtor, SafeMap, TypeErrorCtor, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas } from './00-primordials.ts';
import { promiseReject, queueMicrotaskSafely } from './01-promise.ts';
import { addAbortAlgorithm } from './05-abort.ts';
import type { ReadableByteStreamController, ReadableStream } from './vendor/web-streams-polyfill.mjs';
import { streams } from './13-streams.ts';
import { headerList } from './15-headers.ts';
import { Request, requestInnerBody, responseFromNetwork, type Response } from './18-request-response.ts';
import { bodyStream } from './17-body.ts';
import { bufferSourceBytes } from './06-encoding.ts';

let ops: GuestOps;
/** Connects fetch to the host ops (called at boot). */
export function setFetchOps(o: GuestOps): void { ops = o; }

interface Head { status: number; statusText: string; headers: [string, string][]; url: string; redirected: boolean }
type Controller = ReadableByteStreamController;
interface Pending {
  resolve(response: Response): void;
  reject(error: unknown): void;
  headDone: boolean;
  controller: Controller | undefined;
  pull: (() => void) | undefined;
  drain: (() => void) | undefined;
  settled: boolean;
}

const pending = new SafeMap<number, Pending>();
const egressErrors = new WeakSetCtor<object>();

/** Whether an error is a fetch denied by the egress policy. */
export function isEgressDenied(value: unknown): boolean {
  return typeof value === 'object' && value !== null && WeakSetPrototypeHas(egressErrors, value);
}

function networkError(info: { message: string; code: string }): TypeError {
  const error = new TypeErrorCtor(info.message);
  ObjectDefineProperty(error, 'code', { value: info.code, enumerable: true });
  if (info.code === 'EGRESS_DENIED') WeakSetPrototypeAdd(egressErrors, error);
  return error;
}

/** Fetches a resource through the host. */
export function fetch(input: unknown, init?: RequestInit): Promise<Response> {
  let request: Request;
  try {
    request = new Request(input, init as never);
  } catch (error) {
    return promiseReject<Response>(error);
  }
  const signal = request.signal;
  if (signal.aborted) return promiseReject<Response>(signal.reason);
  const inner = requestInnerBody(request);
  if (inner !== null && (inner.used || (inner.stream !== null && inner.stream.locked))) {
    return promiseReject<Response>(new TypeErrorCtor('fetch: the request body has already been used'));
  }
  const bodyArg = inner === null ? null : inner.stream === null ? inner.bytes : 'stream';
  if (inner !== null) inner.used = inner.stream === null;
  const headers: [string, string][] = [];
  const list = headerList(request.headers);
  for (let i = 0; i < list.length; i++) headers[i] = [(list[i] as [string, string])[0], (list[i] as [string, string])[1]];
  const started = ops.op_fetch_start(request.method, request.url, headers, bodyArg, request.redirect);
  if (started[0] !== true) return promiseReject<Response>(new TypeErrorCtor(`fetch: ${started[1]}`));
  const id = started[1];
  return new PromiseCtor<Response>((resolve, reject) => {
    const p: Pending = { resolve, reject, headDone: false, controller: undefined, pull: undefined, drain: undefined, settled: false };
    MapPrototypeSet(pending, id, p);
    addAbortAlgorithm(signal, () => {
      ops.op_fetch_cancel(id);
      fail(id, signal.reason);
    });
    if (bodyArg === 'stream' && inner !== null) pumpBody(id, bodyStream(inner), p);
  });
}

/** Sends a stream request body to the host chunk by chunk, waiting for a drain when the host asks. */
function pumpBody(id: number, stream: ReadableStream<Uint8Array>, p: Pending): void {
  const { acquireReader, readChunk } = streams();
  const reader = acquireReader(stream);
  const failed = (error: unknown): void => {
    ops.op_fetch_cancel(id);
    fail(id, error);
  };
  const onChunk = (value: Uint8Array): void => {
    if (p.settled) { ops.op_fetch_end(id); return; }
    let written;
    try {
      written = ops.op_fetch_write(id, bufferSourceBytes(value, 'fetch request body'));
    } catch (error) {
      failed(error);
      return;
    }
    if (written[0] !== true) { failed(new TypeErrorCtor(`fetch: ${written[1]}`)); return; }
    // Read the next chunk in a later turn (or after the drain), never inside this one.
    if (written[1] === false) p.drain = next;
    else queueMicrotaskSafely(next);
  };
  const next = (): void => { readChunk(reader, onChunk, () => { ops.op_fetch_end(id); }, failed); };
  next();
}

function fail(id: number, error: unknown): void {
  const p = MapPrototypeGet(pending, id) as Pending | undefined;
  if (p === undefined || p.settled) return;
  p.settled = true;
  MapPrototypeDelete(pending, id);
  if (!p.headDone) p.reject(error);
  else if (p.controller !== undefined) streams().byteControllerError(p.controller, error);
  p.pull?.();
}

/** Handles a host event for subrequest `id` (called by the dispatcher). */
export function onFetchEvent(id: number, kind: string, payload: unknown): void {
  const p = MapPrototypeGet(pending, id) as Pending | undefined;
  if (p === undefined || p.settled) return;
  switch (kind) {
    case 'head': {
      const head = payload as Head;
      p.headDone = true;
      const nullBody = head.status === 101 || head.status === 103 || head.status === 204 || head.status === 205 || head.status === 304;
      const stream = nullBody ? null : new (streams().ReadableStream)<Uint8Array>({
        type: 'bytes',
        start(controller: Controller) { p.controller = controller; },
        pull() {
          return new PromiseCtor<void>((resolve) => {
            p.pull = resolve;
            ops.op_fetch_read(id);
          });
        },
        cancel() {
          ops.op_fetch_cancel(id);
          p.settled = true;
          MapPrototypeDelete(pending, id);
        },
      } as never);
      if (nullBody) { ops.op_fetch_cancel(id); p.settled = true; MapPrototypeDelete(pending, id); }
      try {
        p.resolve(responseFromNetwork(stream, head.status, head.statusText, head.headers, head.url, head.redirected));
      } catch (error) {
        p.reject(error);
      }
      return;
    }
    case 'chunk': {
      const pull = p.pull;
      p.pull = undefined;
      if (p.controller !== undefined) streams().byteControllerEnqueue(p.controller, payload as Uint8Array);
      pull?.();
      return;
    }
    case 'end': {
      p.settled = true;
      MapPrototypeDelete(pending, id);
      const pull = p.pull;
      p.pull = undefined;
      if (p.controller !== undefined) streams().byteControllerClose(p.controller);
      pull?.();
      return;
    }
    case 'error': fail(id, networkError(payload as { message: string; code: string })); return;
    case 'drain': { const drain = p.drain; p.drain = undefined; drain?.(); return; }
    default: return;
  }
}
