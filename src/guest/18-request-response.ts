/** Request and Response (https://fetch.spec.whatwg.org/#request-class, #response-class). */
import {
  ArrayPrototypeIndexOf, JSONStringify, MathTrunc, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, StringCtor, StringPrototypeCharCodeAt,
  StringPrototypeIncludes, StringPrototypeToUpperCase, TypeErrorCtor, RangeErrorCtor, NumberCtor, uncurry,
} from './00-primordials.ts';
import { URL } from './08-url.ts';
import { dependentSignal, newAbortSignal, type AbortSignal } from './05-abort.ts';
import { Headers, appendHeader, copyHeaders, getHeader, guardHeaders, headerList, setHeader } from './15-headers.ts';
import { cloneBody, extractBody, installBodyMixin, isUsed, type Body, type InnerBody } from './17-body.ts';
import type { ReadableStream } from './vendor/web-streams-polyfill.mjs';

const URLParse = URL.parse;
const URLPrototypeGet = (key: string) => uncurry(ObjectGetOwnPropertyDescriptor(URL.prototype, key)?.get as (this: URL) => string);
const URLPrototypeGetHref = URLPrototypeGet('href');
const URLPrototypeGetUsername = URLPrototypeGet('username');
const URLPrototypeGetPassword = URLPrototypeGet('password');
/** Whether `list` holds `value` (Array.prototype.includes is patchable). */
const includes = (list: readonly unknown[], value: unknown): boolean => ArrayPrototypeIndexOf(list as unknown[], value) !== -1;
/** The default of a missing init dictionary: it has no members, inherited or not. */
const NO_INIT = { __proto__: null } as object;

const METHODS_TO_NORMALIZE = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];
const NULL_BODY_STATUSES = [101, 103, 204, 205, 304];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

function normalizeMethod(method: unknown): string {
  const m = StringCtor(method);
  for (let i = 0; i < m.length; i++) {
    const c = StringPrototypeCharCodeAt(m, i);
    const token = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || StringPrototypeIncludes('!#$%&\'*+-.^_`|~', m[i] as string);
    if (!token) throw new TypeErrorCtor(`'${m}' is not a valid HTTP method.`);
  }
  if (m.length === 0) throw new TypeErrorCtor("'' is not a valid HTTP method.");
  const upper = StringPrototypeToUpperCase(m);
  if (includes(FORBIDDEN_METHODS, upper)) throw new TypeErrorCtor(`'${m}' HTTP method is unsupported.`);
  return includes(METHODS_TO_NORMALIZE, upper) ? upper : m;
}

function contentTypeOf(headers: Headers): string | null { return getHeader(headers, 'content-type'); }

interface RequestInitLike {
  method?: string; headers?: unknown; body?: unknown; signal?: AbortSignal | null; redirect?: string;
  cache?: string; credentials?: string; mode?: string; integrity?: string; keepalive?: boolean; duplex?: string;
  referrer?: string; referrerPolicy?: string; window?: unknown;
}

/** What the next `new Request(INCOMING)` takes (see incomingRequest). */
const INCOMING = { __proto__: null } as object;
let incoming: { url: string; method: string; headers: Headers; body: InnerBody | null; signal: AbortSignal } | undefined;

/**
 * A request as it arrives from a client (the host parsed and checked it: the URL is a serialized
 * absolute URL, the method a token), made without the constructor's init handling: its signal is
 * the one given (aborted when the client goes away), its headers are the list given.
 */
export function incomingRequest(url: string, method: string, headers: Headers, body: ReadableStream<Uint8Array> | null, signal: AbortSignal): Request {
  incoming = { url, method: normalizeMethod(method), headers, body: body === null ? null : extractBody(body).body, signal };
  return new Request(INCOMING);
}

let requestBody: (r: Request) => InnerBody | null;
/** The inner body of a Request (for fetch). */
export function requestInnerBody(r: Request): InnerBody | null { return requestBody(r); }
let setRequestBody: (r: Request, body: InnerBody | null) => void;
let isRequest: (value: unknown) => value is Request;
let requestHeaders: (r: Request) => Headers;

/** https://fetch.spec.whatwg.org/#request-class */
export class Request {
  readonly #url: string;
  readonly #method: string;
  readonly #headers: Headers;
  #body: InnerBody | null;
  readonly #signal: AbortSignal;
  readonly #redirect: string;
  readonly #cache: string;
  readonly #credentials: string;
  readonly #mode: string;
  readonly #integrity: string;
  readonly #keepalive: boolean;

  constructor(input: unknown, init?: RequestInitLike) {
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'Request': 1 argument required, but only 0 present.");
    if (input === INCOMING && incoming !== undefined) {
      const i = incoming;
      incoming = undefined;
      this.#url = i.url; this.#method = i.method; this.#headers = i.headers; this.#body = i.body; this.#signal = i.signal;
      this.#redirect = 'follow'; this.#cache = 'default'; this.#credentials = 'same-origin'; this.#mode = 'cors'; this.#integrity = ''; this.#keepalive = false;
      return;
    }
    const options: RequestInitLike = init ?? NO_INIT;
    if (typeof options !== 'object') throw new TypeErrorCtor("Failed to construct 'Request': The provided value is not of type 'RequestInit'.");
    const source = isRequest(input) ? input : undefined;
    if (source !== undefined) {
      this.#url = source.#url;
    } else {
      const parsed = URLParse(StringCtor(input));
      if (parsed === null) throw new TypeErrorCtor(`Failed to construct 'Request': Invalid URL '${StringCtor(input)}' (relative URLs need a base, and there is none here).`);
      if (URLPrototypeGetUsername(parsed) !== '' || URLPrototypeGetPassword(parsed) !== '') throw new TypeErrorCtor("Failed to construct 'Request': Request cannot be constructed from a URL that includes credentials.");
      this.#url = URLPrototypeGetHref(parsed);
    }
    this.#method = options.method !== undefined ? normalizeMethod(options.method) : (source === undefined ? undefined : source.#method) ?? 'GET';
    this.#redirect = options.redirect ?? (source === undefined ? undefined : source.#redirect) ?? 'follow';
    if (this.#redirect !== 'follow' && this.#redirect !== 'error' && this.#redirect !== 'manual') {
      throw new TypeErrorCtor(`Failed to construct 'Request': The provided value '${this.#redirect}' is not a valid enum value of type RequestRedirect.`);
    }
    this.#cache = options.cache ?? (source === undefined ? undefined : source.#cache) ?? 'default';
    this.#credentials = options.credentials ?? (source === undefined ? undefined : source.#credentials) ?? 'same-origin';
    this.#mode = options.mode ?? (source === undefined ? undefined : source.#mode) ?? 'cors';
    this.#integrity = options.integrity ?? (source === undefined ? undefined : source.#integrity) ?? '';
    this.#keepalive = options.keepalive ?? (source === undefined ? undefined : source.#keepalive) ?? false;
    const parentSignal = options.signal !== undefined ? options.signal : (source === undefined ? undefined : source.#signal) ?? null;
    this.#signal = parentSignal === null ? newAbortSignal() : dependentSignal(parentSignal);
    this.#headers = options.headers !== undefined ? new Headers(options.headers) : source !== undefined ? copyHeaders(source.#headers) : new Headers();
    guardHeaders(this.#headers, 'request');
    const hasBody = options.body !== undefined && options.body !== null;
    if ((hasBody || (source !== undefined && requestBody(source) !== null && options.body === undefined)) && (this.#method === 'GET' || this.#method === 'HEAD')) {
      throw new TypeErrorCtor("Failed to construct 'Request': Request with GET/HEAD method cannot have body.");
    }
    if (hasBody) {
      const { body, type } = extractBody(options.body);
      if (body.stream !== null && options.duplex !== 'half') {
        throw new TypeErrorCtor("Failed to construct 'Request': The duplex member must be specified for a request with a streaming body.");
      }
      this.#body = body;
      if (type !== null && getHeader(this.#headers, 'content-type') === null) appendHeader(this.#headers, 'content-type', type);
    } else if (source !== undefined && options.body === undefined) {
      const inherited = requestBody(source);
      if (inherited !== null && isUsed(inherited)) throw new TypeErrorCtor("Failed to construct 'Request': Cannot construct a Request with a Request object that has already been used.");
      // The source's body moves to the new request (https://fetch.spec.whatwg.org/#dom-request step 41).
      this.#body = inherited === null ? null : { bytes: inherited.bytes, stream: inherited.stream, used: false };
      if (inherited !== null) inherited.used = true;
    } else {
      this.#body = null;
    }
  }

  static {
    requestBody = (r) => r.#body;
    setRequestBody = (r, body) => { r.#body = body; };
    isRequest = (value): value is Request => typeof value === 'object' && value !== null && #url in value;
    requestHeaders = (r) => r.#headers;
  }

  get method(): string { return this.#method; }
  get url(): string { return this.#url; }
  get headers(): Headers { return this.#headers; }
  get destination(): string { return ''; }
  get referrer(): string { return 'about:client'; }
  get referrerPolicy(): string { return ''; }
  get mode(): string { return this.#mode; }
  get credentials(): string { return this.#credentials; }
  get cache(): string { return this.#cache; }
  get redirect(): string { return this.#redirect; }
  get integrity(): string { return this.#integrity; }
  get keepalive(): boolean { return this.#keepalive; }
  get isReloadNavigation(): boolean { return false; }
  get isHistoryNavigation(): boolean { return false; }
  get signal(): AbortSignal { return this.#signal; }
  get duplex(): string { return 'half'; }
  clone(): Request {
    if (isUsed(this.#body)) throw new TypeErrorCtor("Failed to execute 'clone' on 'Request': Request body is already used");
    const body = cloneBody(this.#body);
    const copy = new Request(this, { __proto__: null, body: null } as RequestInitLike);
    setRequestBody(copy, body);
    return copy;
  }
}
ObjectDefineProperty(Request.prototype, Symbol.toStringTag, { value: 'Request', configurable: true });
installBodyMixin(Request.prototype, (r) => requestBody(r), (r) => contentTypeOf(requestHeaders(r)));
// The mixin's members, for the type checker (installed above, not class fields).
export interface Request extends Body {}


interface ResponseInitLike { status?: number; statusText?: string; headers?: unknown }

let responseBody: (r: Response) => InnerBody | null;
let responseHeaders: (r: Response) => Headers;
let responseStatus: (r: Response) => [number, string];
let isResponseValue: (value: unknown) => value is Response;
/** Whether `value` is a Response (a brand check: no Symbol.hasInstance or prototype a guest could change). */
export function isResponse(value: unknown): value is Response { return isResponseValue(value); }
/** A Response's status, status text and header list, from its internal slots (not its getters). */
export function responseHead(r: Response): { status: number; statusText: string; headers: readonly [string, string][] } {
  const [status, statusText] = responseStatus(r);
  return { status, statusText, headers: headerList(responseHeaders(r)) };
}
/** The inner body of a Response (for serving it without making a stream). */
export function responseInnerBody(r: Response): InnerBody | null { return responseBody(r); }
let makeResponse: (body: InnerBody | null, status: number, statusText: string, headers: Headers, type: string, url: string, redirected?: boolean) => Response;
/** A Response for a fetch result: immutable headers, type "basic", the final URL. */
export function responseFromNetwork(stream: ReadableStream<Uint8Array> | null, status: number, statusText: string, headers: [string, string][], url: string, redirected: boolean): Response {
  const h = new Headers();
  for (let i = 0; i < headers.length; i++) appendHeader(h, (headers[i] as [string, string])[0], (headers[i] as [string, string])[1]);
  return makeResponse(stream === null ? null : { bytes: null, stream, used: false }, status, statusText, guardHeaders(h, 'immutable'), 'basic', url, redirected);
}

/** https://fetch.spec.whatwg.org/#response-class */
export class Response {
  #body: InnerBody | null = null;
  #status = 200;
  #statusText = '';
  #headers: Headers;
  #type = 'default';
  #url = '';
  #redirected = false;

  constructor(body?: unknown, init?: ResponseInitLike) {
    const options: ResponseInitLike = init ?? NO_INIT;
    if (typeof options !== 'object') throw new TypeErrorCtor("Failed to construct 'Response': The provided value is not of type 'ResponseInit'.");
    const status = options.status === undefined ? 200 : NumberCtor(options.status);
    if (!(status >= 200 && status <= 599) || status !== MathTrunc(status)) {
      throw new RangeErrorCtor(`Failed to construct 'Response': The status provided (${StringCtor(options.status)}) is outside the range [200, 599].`);
    }
    const statusText = options.statusText === undefined ? '' : StringCtor(options.statusText);
    for (let i = 0; i < statusText.length; i++) {
      const c = StringPrototypeCharCodeAt(statusText, i);
      if (c === 0x0a || c === 0x0d || c > 0xff || (c < 0x20 && c !== 0x09)) throw new TypeErrorCtor("Failed to construct 'Response': Invalid statusText");
    }
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = guardHeaders(new Headers(options.headers), 'response');
    if (body !== undefined && body !== null) {
      if (includes(NULL_BODY_STATUSES, status)) throw new TypeErrorCtor(`Failed to construct 'Response': Response with null body status (${status}) cannot have body`);
      const { body: inner, type } = extractBody(body);
      this.#body = inner;
      if (type !== null && getHeader(this.#headers, 'content-type') === null) appendHeader(this.#headers, 'content-type', type);
    }
  }

  static {
    responseBody = (r) => r.#body;
    responseHeaders = (r) => r.#headers;
    responseStatus = (r) => [r.#status, r.#statusText];
    isResponseValue = (value): value is Response => typeof value === 'object' && value !== null && #body in value;
    makeResponse = (body, status, statusText, headers, type, url, redirected = false) => {
      const r = new Response(null);
      r.#body = body; r.#status = status; r.#statusText = statusText; r.#headers = headers; r.#type = type; r.#url = url; r.#redirected = redirected;
      return r;
    };
  }

  static error(): Response {
    return makeResponse(null, 0, '', guardHeaders(new Headers(), 'immutable'), 'error', '');
  }

  static redirect(url: unknown, status = 302): Response {
    const parsed = URLParse(StringCtor(url));
    if (parsed === null) throw new TypeErrorCtor(`Failed to execute 'redirect' on 'Response': Invalid URL '${StringCtor(url)}'`);
    if (!includes(REDIRECT_STATUSES, NumberCtor(status))) throw new RangeErrorCtor(`Failed to execute 'redirect' on 'Response': Invalid status code ${StringCtor(status)}`);
    const headers = new Headers();
    appendHeader(headers, 'location', URLPrototypeGetHref(parsed));
    return makeResponse(null, NumberCtor(status), '', guardHeaders(headers, 'immutable'), 'default', '');
  }

  static json(data: unknown, init?: ResponseInitLike): Response {
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeErrorCtor("Failed to execute 'json' on 'Response': The data is not JSON serializable");
    const response = new Response(text, init);
    const headers = responseHeaders(response);
    const type = getHeader(headers, 'content-type');
    if (type === null || type === 'text/plain;charset=UTF-8') setHeader(headers, 'content-type', 'application/json');
    return response;
  }

  get type(): string { return this.#type; }
  get url(): string { return this.#url; }
  get redirected(): boolean { return this.#redirected; }
  get status(): number { return this.#status; }
  get ok(): boolean { return this.#status >= 200 && this.#status <= 299; }
  get statusText(): string { return this.#statusText; }
  get headers(): Headers { return this.#headers; }
  clone(): Response {
    if (isUsed(this.#body)) throw new TypeErrorCtor("Failed to execute 'clone' on 'Response': Response body is already used");
    const headers = copyHeaders(this.#headers);
    return makeResponse(cloneBody(this.#body), this.#status, this.#statusText, guardHeaders(headers, this.#type === 'error' || this.#type === 'basic' ? 'immutable' : 'response'), this.#type, this.#url, this.#redirected);
  }
}
ObjectDefineProperty(Response.prototype, Symbol.toStringTag, { value: 'Response', configurable: true });
installBodyMixin(Response.prototype, (r) => responseBody(r), (r) => contentTypeOf(responseHeaders(r)));
export interface Response extends Body {}
