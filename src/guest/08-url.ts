/**
 * URL and URLSearchParams (https://url.spec.whatwg.org/). Parsing and setters use the host's
 * WHATWG URL parser (ada, in Node) through two ops, as Deno does; URLSearchParams and the
 * application/x-www-form-urlencoded format are implemented here.
 */
import type { GuestOps, UrlParts } from '../bridge/protocol.ts';
import {
  ArrayPrototypeJoin, ArrayPrototypePush, ObjectDefineProperty,
  StringCtor, StringFromCharCode, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeToWellFormed,
  SymbolIterator, TypeErrorCtor, ReflectApply, SafeMap, MapPrototypeGet, MapPrototypeHas,
  MapPrototypeSet, MapPrototypeGetSize, MapPrototypeClear, TypedArrayPrototypeGetLength, Uint8ArrayCtor,
} from './00-primordials.ts';
import { bytesView, utf8Decode, utf8Encode } from './06-encoding.ts';
import { forEachRecordEntry, listDelete, listGet, listGetAll, listHas, listSet } from './02-entry-list.ts';

let ops: Pick<GuestOps, 'op_url_parse' | 'op_url_set'>;
/** Connects URL to the host parser ops (called by boot). */
export function setUrlOps(o: Pick<GuestOps, 'op_url_parse' | 'op_url_set'>): void { ops = o; }

const HREF = 0, ORIGIN = 1, PROTOCOL = 2, USERNAME = 3, PASSWORD = 4, HOST = 5, HOSTNAME = 6, PORT = 7, PATHNAME = 8, SEARCH = 9, HASH = 10;

/** Recent parses (parsing is pure): servers see the same few URLs over and over. */
const parsed = new SafeMap<string, UrlParts | null>();
const PARSE_CACHE_SIZE = 256;

function parse(url: string, base: string | undefined): UrlParts | null {
  const key = base === undefined ? url : `${url}\u0000${base}`;
  if (MapPrototypeHas(parsed, key)) return MapPrototypeGet(parsed, key) as UrlParts | null;
  const result = ops.op_url_parse(url, base);
  if (result[0] !== true) throw new TypeErrorCtor(result[1]);
  if (url.length + (base?.length ?? 0) <= 2048) {
    if (MapPrototypeGetSize(parsed) >= PARSE_CACHE_SIZE) MapPrototypeClear(parsed);
    MapPrototypeSet(parsed, key, result[1]);
  }
  return result[1];
}

/** Sets a URL's query from its URLSearchParams (https://url.spec.whatwg.org/#concept-urlsearchparams-update). */
let updateSearch: (url: URL, serialized: string) => void;
let resetQuery: (params: URLSearchParams, search: string) => void;

/** https://url.spec.whatwg.org/#url-class */
export class URL {
  #parts: UrlParts;
  #searchParams: URLSearchParams | undefined;

  constructor(url: unknown, base?: unknown) {
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'URL': 1 argument required, but only 0 present.");
    const input = StringPrototypeToWellFormed(StringCtor(url));
    const parsed = parse(input, base === undefined ? undefined : StringPrototypeToWellFormed(StringCtor(base)));
    if (parsed === null) throw new TypeErrorCtor(`Failed to construct 'URL': Invalid URL${base === undefined ? '' : ' or base'}: '${input.length > 200 ? `${StringPrototypeSlice(input, 0, 200)}...` : input}'`);
    this.#parts = parsed;
  }

  static parse(url: unknown, base?: unknown): URL | null {
    try { return base === undefined ? new URL(url) : new URL(url, base); } catch { return null; }
  }

  static canParse(url: unknown, base?: unknown): boolean {
    return parse(StringPrototypeToWellFormed(StringCtor(url)), base === undefined ? undefined : StringPrototypeToWellFormed(StringCtor(base))) !== null;
  }

  #set(field: string, value: unknown): void {
    const result = ops.op_url_set(this.#parts[HREF], field, StringPrototypeToWellFormed(StringCtor(value)));
    if (result[0] !== true) throw new TypeErrorCtor(result[1]);
    if (result[1] === null) {
      if (field === 'href') throw new TypeErrorCtor(`Failed to set the 'href' property on 'URL': Invalid URL '${StringCtor(value)}'`);
      return;
    }
    this.#parts = result[1];
    if (field !== 'hash' && field !== 'pathname' && this.#searchParams !== undefined) resetQuery(this.#searchParams, this.#parts[SEARCH]);
  }

  static {
    updateSearch = (url, serialized) => {
      const result = ops.op_url_set(url.#parts[HREF], 'search', serialized);
      if (result[0] === true && result[1] !== null) url.#parts = result[1];
    };
  }

  get href(): string { return this.#parts[HREF]; }
  set href(value: string) { this.#set('href', value); }
  get origin(): string { return this.#parts[ORIGIN]; }
  get protocol(): string { return this.#parts[PROTOCOL]; }
  set protocol(value: string) { this.#set('protocol', value); }
  get username(): string { return this.#parts[USERNAME]; }
  set username(value: string) { this.#set('username', value); }
  get password(): string { return this.#parts[PASSWORD]; }
  set password(value: string) { this.#set('password', value); }
  get host(): string { return this.#parts[HOST]; }
  set host(value: string) { this.#set('host', value); }
  get hostname(): string { return this.#parts[HOSTNAME]; }
  set hostname(value: string) { this.#set('hostname', value); }
  get port(): string { return this.#parts[PORT]; }
  set port(value: string) { this.#set('port', value); }
  get pathname(): string { return this.#parts[PATHNAME]; }
  set pathname(value: string) { this.#set('pathname', value); }
  get search(): string { return this.#parts[SEARCH]; }
  set search(value: string) { this.#set('search', value); }
  get hash(): string { return this.#parts[HASH]; }
  set hash(value: string) { this.#set('hash', value); }
  get searchParams(): URLSearchParams {
    if (this.#searchParams === undefined) {
      this.#searchParams = new URLSearchParams(this.#parts[SEARCH]);
      linkParams(this.#searchParams, this);
    }
    return this.#searchParams;
  }
  toString(): string { return this.#parts[HREF]; }
  toJSON(): string { return this.#parts[HREF]; }
}
ObjectDefineProperty(URL.prototype, Symbol.toStringTag, { value: 'URL', configurable: true });

let linkParams: (params: URLSearchParams, url: URL) => void;
let paramsList: (params: URLSearchParams) => readonly [string, string][];
/** Whether a value is a URLSearchParams (brand check, not instanceof). */
export let isSearchParams: (value: unknown) => value is URLSearchParams;
/** A URLSearchParams serialized (what its toString returns). */
export function serializeSearchParams(params: URLSearchParams): string { return serializeUrlencoded(paramsList(params)); }

/** https://url.spec.whatwg.org/#interface-urlsearchparams */
export class URLSearchParams {
  #list: [string, string][] = [];
  #url: URL | null = null;

  constructor(init: unknown = '') {
    if (typeof init === 'object' && init !== null) {
      const iterator = (init as { [Symbol.iterator]?: unknown })[SymbolIterator];
      if (iterator !== undefined) {
        if (typeof iterator !== 'function') throw new TypeErrorCtor("Failed to construct 'URLSearchParams': The object's @@iterator is not callable.");
        for (const pair of init as Iterable<unknown>) {
          if (typeof pair !== 'object' || pair === null || typeof (pair as { [Symbol.iterator]?: unknown })[SymbolIterator] !== 'function') {
            throw new TypeErrorCtor("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple.");
          }
          const items: unknown[] = [];
          for (const item of pair as Iterable<unknown>) ArrayPrototypePush(items, item);
          if (items.length !== 2) throw new TypeErrorCtor("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple.");
          ArrayPrototypePush(this.#list, [usv(items[0]), usv(items[1])]);
        }
      } else {
        forEachRecordEntry(init, (key, value) => { ArrayPrototypePush(this.#list, [usv(key), usv(value)]); });
      }
    } else {
      let s = usv(init);
      if (StringPrototypeCharCodeAt(s, 0) === 0x3f) s = StringPrototypeSlice(s, 1);
      this.#list = parseUrlencoded(s);
    }
  }

  static {
    linkParams = (params, url) => { params.#url = url; };
    paramsList = (params) => params.#list;
    isSearchParams = (value): value is URLSearchParams => typeof value === 'object' && value !== null && #list in value;
    resetQuery = (params, search) => { params.#list = parseUrlencoded(StringPrototypeSlice(search, search.length > 0 ? 1 : 0)); };
  }

  #update(): void {
    if (this.#url === null) return;
    updateSearch(this.#url, serializeUrlencoded(this.#list));
  }

  get size(): number { return this.#list.length; }
  append(name: unknown, value: unknown): void { ArrayPrototypePush(this.#list, [usv(name), usv(value)]); this.#update(); }
  delete(name: unknown, value?: unknown): void {
    listDelete(this.#list, usv(name), value === undefined ? undefined : usv(value));
    this.#update();
  }
  get(name: unknown): string | null { return listGet(this.#list, usv(name)); }
  getAll(name: unknown): string[] { return listGetAll(this.#list, usv(name)); }
  has(name: unknown, value?: unknown): boolean { return listHas(this.#list, usv(name), value === undefined ? undefined : usv(value)); }
  set(name: unknown, value: unknown): void {
    listSet(this.#list, [usv(name), usv(value)]);
    this.#update();
  }
  /** Stable sort by name, comparing UTF-16 code units. */
  sort(): void {
    const list = this.#list;
    for (let i = 1; i < list.length; i++) {
      const item = list[i] as [string, string];
      let j = i - 1;
      while (j >= 0 && (list[j] as [string, string])[0] > item[0]) { list[j + 1] = list[j] as [string, string]; j--; }
      list[j + 1] = item;
    }
    this.#update();
  }
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'URLSearchParams': The callback provided as parameter 1 is not a function.");
    for (let i = 0; i < this.#list.length; i++) {
      const entry = this.#list[i] as [string, string];
      ReflectApply(callback, thisArg, [entry[1], entry[0], this]);
    }
  }
  *entries(): IterableIterator<[string, string]> { for (let i = 0; i < this.#list.length; i++) { const e = this.#list[i] as [string, string]; yield [e[0], e[1]]; } }
  *keys(): IterableIterator<string> { for (let i = 0; i < this.#list.length; i++) yield (this.#list[i] as [string, string])[0]; }
  *values(): IterableIterator<string> { for (let i = 0; i < this.#list.length; i++) yield (this.#list[i] as [string, string])[1]; }
  [Symbol.iterator](): IterableIterator<[string, string]> { return this.entries(); }
  toString(): string { return serializeUrlencoded(this.#list); }
}
ObjectDefineProperty(URLSearchParams.prototype, Symbol.toStringTag, { value: 'URLSearchParams', configurable: true });

function usv(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
  return StringPrototypeToWellFormed(StringCtor(value));
}

/** https://url.spec.whatwg.org/#concept-urlencoded-parser */
export function parseUrlencoded(input: string): [string, string][] {
  const out: [string, string][] = [];
  let start = 0;
  for (let i = 0; i <= input.length; i++) {
    if (i < input.length && StringPrototypeCharCodeAt(input, i) !== 0x26) continue;
    const sequence = StringPrototypeSlice(input, start, i);
    start = i + 1;
    if (sequence === '') continue;
    let eq = -1;
    for (let k = 0; k < sequence.length; k++) if (StringPrototypeCharCodeAt(sequence, k) === 0x3d) { eq = k; break; }
    const name = eq === -1 ? sequence : StringPrototypeSlice(sequence, 0, eq);
    const value = eq === -1 ? '' : StringPrototypeSlice(sequence, eq + 1);
    ArrayPrototypePush(out, [percentDecode(name), percentDecode(value)]);
  }
  return out;
}

function percentDecode(s: string): string {
  const bytes = utf8Encode(s);
  const size = TypedArrayPrototypeGetLength(bytes);
  const out = new Uint8ArrayCtor(size);
  let j = 0;
  for (let i = 0; i < size; i++) {
    const b = bytes[i] as number;
    if (b === 0x2b) { out[j++] = 0x20; continue; }
    if (b === 0x25 && i + 2 < size) {
      const h = hex(bytes[i + 1] as number);
      const l = hex(bytes[i + 2] as number);
      if (h >= 0 && l >= 0) { out[j++] = (h << 4) | l; i += 2; continue; }
    }
    out[j++] = b;
  }
  return utf8Decode(bytesView(out, 0, j));
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const HEX = '0123456789ABCDEF';

/** https://url.spec.whatwg.org/#concept-urlencoded-serializer */
export function serializeUrlencoded(list: readonly [string, string][]): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as [string, string];
    ArrayPrototypePush(parts, `${encodeComponent(entry[0])}=${encodeComponent(entry[1])}`);
  }
  return ArrayPrototypeJoin(parts, '&');
}

function encodeComponent(s: string): string {
  const bytes = utf8Encode(s);
  const size = TypedArrayPrototypeGetLength(bytes);
  let out = '';
  for (let i = 0; i < size; i++) {
    const b = bytes[i] as number;
    if (b === 0x20) out += '+';
    else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f) out += StringFromCharCode(b);
    else out += `%${HEX[b >> 4] as string}${HEX[b & 15] as string}`;
  }
  return out;
}
