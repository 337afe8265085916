/**
 * One outgoing HTTP request made for a guest's fetch(), under the sandbox's egress policy: every
 * hop (redirects included) is checked by host pattern, scheme and the address actually connected
 * to; bodies stream both ways with backpressure; sizes and time are capped; content encodings are
 * decoded (with the size cap applied after decoding).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { addressDenied, hostDenied, type EgressPolicy } from './policy.ts';

/** What the guest asked for. */
export interface SubrequestSpec {
  method: string;
  url: string;
  headers: [string, string][];
  /** Bytes to send, "stream" when chunks follow through write(), or null. */
  body: Uint8Array | 'stream' | null;
  redirect: 'follow' | 'error' | 'manual';
}

/** The response head handed to the guest. */
export interface SubrequestHead {
  status: number;
  statusText: string;
  headers: [string, string][];
  url: string;
  redirected: boolean;
}

/** A failed subrequest: a TypeError in the guest; `code` EGRESS_DENIED when the policy refused it. */
export interface SubrequestError { name: 'TypeError'; message: string; code: 'EGRESS_DENIED' | 'FETCH_FAILED' }

/** Where a subrequest reports; each of head/end/error happens at most once, and only one of end/error. */
export interface SubrequestEvents {
  head(head: SubrequestHead): void;
  chunk(bytes: Uint8Array): void;
  end(): void;
  error(error: SubrequestError): void;
  /** The request body may take more chunks. */
  drain(): void;
}

const MAX_REDIRECTS = 20;
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-connection', 'content-length']);

class Denied extends Error { readonly code = 'EGRESS_DENIED'; }

/** One fetch, possibly over several redirect hops. */
export class Subrequest {
  readonly #policy: EgressPolicy;
  readonly #events: SubrequestEvents;
  readonly #spec: SubrequestSpec;
  #request: ClientRequest | undefined;
  #response: Readable | undefined;
  #finished = false;
  #received = 0;
  #sent = 0;
  #wantChunk = false;
  #timer: NodeJS.Timeout;

  constructor(policy: EgressPolicy, spec: SubrequestSpec, events: SubrequestEvents) {
    this.#policy = policy;
    this.#spec = spec;
    this.#events = events;
    this.#timer = setTimeout(() => this.#fail('FETCH_FAILED', `the request took longer than ${policy.timeoutMs} ms`), policy.timeoutMs);
    this.#hop(spec.method, spec.url, spec.body, 0);
  }

  /** Sends a request body chunk (body "stream"); returns false when the guest should wait for drain. */
  write(chunk: Uint8Array): boolean {
    if (this.#finished || this.#request === undefined) return true;
    this.#sent += chunk.length;
    if (this.#sent > this.#policy.maxRequestBytes) {
      this.#fail('FETCH_FAILED', `the request body is larger than fetch.maxRequestBytes (${this.#policy.maxRequestBytes} bytes)`);
      return true;
    }
    return this.#request.write(chunk);
  }

  /** Ends a streamed request body. */
  endBody(): void { if (!this.#finished) this.#request?.end(); }

  /** Asks for the next response chunk (delivered through events.chunk or events.end). */
  read(): void {
    this.#wantChunk = true;
    this.#pump();
  }

  /** Stops everything (guest abort, cancel, run end). Idempotent; reports nothing. */
  cancel(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#request?.destroy();
    this.#response?.destroy();
  }

  #hop(method: string, href: string, body: Uint8Array | 'stream' | null, hops: number): void {
    let url: URL;
    try { url = new URL(href); } catch { this.#fail('FETCH_FAILED', `invalid URL "${href}"`); return; }
    const denied = hostDenied(this.#policy, url);
    if (denied !== null) { this.#fail('EGRESS_DENIED', `fetch to ${url.origin} denied: ${denied}`); return; }
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    const literalDenied = /^[\d.]+$|:/.test(literal) ? addressDenied(this.#policy, literal) : null;
    if (literalDenied !== null) { this.#fail('EGRESS_DENIED', `fetch to ${url.origin} denied: ${literalDenied}`); return; }
    const headers: Record<string, string[]> = {};
    for (const [name, value] of this.#spec.headers) {
      const n = name.toLowerCase();
      if (HOP_BY_HOP.has(n)) continue;
      (headers[n] ??= []).push(value);
    }
    headers['accept-encoding'] ??= ['gzip, deflate, br'];
    if (body instanceof Uint8Array) {
      if (body.length > this.#policy.maxRequestBytes) { this.#fail('FETCH_FAILED', `the request body is larger than fetch.maxRequestBytes (${this.#policy.maxRequestBytes} bytes)`); return; }
      headers['content-length'] = [String(body.length)];
    }
    const policy = this.#policy;
    const lookup = (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
      dnsLookup(hostname, { all: true }, (err, addresses) => {
        if (err !== null) { callback(err, []); return; }
        const allowed = addresses.filter((a) => addressDenied(policy, a.address) === null);
        if (allowed.length === 0) {
          const first = addresses[0]?.address ?? 'nothing';
          callback(new Denied(`${hostname} resolves to ${first}: ${addressDenied(policy, first) ?? 'refused'}`), []);
          return;
        }
        if ((options as { all?: boolean }).all === true) callback(null, allowed);
        else callback(null, (allowed[0] as LookupAddress).address, (allowed[0] as LookupAddress).family);
      });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method, headers, lookup, agent: false } as Parameters<typeof httpRequest>[1]);
    this.#request = request;
    request.on('socket', (socket) => {
      socket.once('connect', () => {
        const remote = socket.remoteAddress;
        const reason = remote === undefined ? 'no remote address' : addressDenied(policy, remote);
        if (reason !== null) request.destroy(new Denied(`connected to a forbidden address: ${reason}`));
      });
    });
    request.on('error', (error: Error & { code?: string }) => {
      if (error instanceof Denied || error.code === 'EGRESS_DENIED') this.#fail('EGRESS_DENIED', `fetch to ${url.origin} denied: ${error.message}`);
      else this.#fail('FETCH_FAILED', `fetch to ${url.origin} failed: ${error.code ?? error.message}`);
    });
    request.on('drain', () => { if (!this.#finished) this.#events.drain(); });
    request.on('response', (response) => this.#onResponse(response, method, url, body, hops));
    if (body instanceof Uint8Array) request.end(body);
    else if (body === null) request.end();
  }

  #onResponse(response: IncomingMessage, method: string, url: URL, body: Uint8Array | 'stream' | null, hops: number): void {
    if (this.#finished) { response.destroy(); return; }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location !== undefined && this.#spec.redirect !== 'manual') {
      response.resume();
      if (this.#spec.redirect === 'error') { this.#fail('FETCH_FAILED', `redirected to ${location} with redirect: "error"`); return; }
      if (hops >= MAX_REDIRECTS) { this.#fail('FETCH_FAILED', `more than ${MAX_REDIRECTS} redirects`); return; }
      let next: string;
      try { next = new URL(location, url).href; } catch { this.#fail('FETCH_FAILED', `invalid redirect location "${location}"`); return; }
      const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
      if (!toGet && body === 'stream') { this.#fail('FETCH_FAILED', `cannot follow a ${status} redirect with a streamed request body`); return; }
      this.#hop(toGet && method !== 'HEAD' ? 'GET' : method, next, toGet ? null : body, hops + 1);
      return;
    }
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) headers.push([(response.rawHeaders[i] as string).toLowerCase(), response.rawHeaders[i + 1] as string]);
    let stream: Readable = response;
    const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (method !== 'HEAD' && status !== 204 && status !== 304) {
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(createGunzip());
      else if (encoding === 'br') stream = response.pipe(createBrotliDecompress());
      else if (encoding === 'deflate') stream = response.pipe(createInflate());
    }
    if (stream !== response) stream.on('error', () => this.#fail('FETCH_FAILED', `the ${encoding} response body is corrupt`));
    response.on('error', () => this.#fail('FETCH_FAILED', 'the connection closed before the response body ended'));
    this.#response = stream;
    stream.on('readable', () => this.#pump());
    stream.on('end', () => this.#pump());
    this.#events.head({ status, statusText: response.statusMessage ?? '', headers, url: url.href, redirected: hops > 0 });
  }

  #pump(): void {
    const stream = this.#response;
    if (!this.#wantChunk || this.#finished || stream === undefined) return;
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      this.#wantChunk = false;
      this.#received += chunk.length;
      if (this.#received > this.#policy.maxResponseBytes) {
        this.#fail('FETCH_FAILED', `the response body is larger than fetch.maxResponseBytes (${this.#policy.maxResponseBytes} bytes)`);
        return;
      }
      this.#events.chunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      return;
    }
    if (stream.readableEnded) {
      this.#wantChunk = false;
      this.#finished = true;
      clearTimeout(this.#timer);
      this.#events.end();
    }
  }

  #fail(code: SubrequestError['code'], message: string): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#request?.destroy();
    this.#response?.destroy();
    this.#events.error({ name: 'TypeError', message, code });
  }
}
