/** Headers (https://fetch.spec.whatwg.org/#headers-class). */
import {
  ArrayPrototypeJoin, ArrayPrototypePush, ObjectDefineProperty,
  ReflectApply, StringCtor, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeToLowerCase,
  SymbolIterator, TypeErrorCtor,
} from './00-primordials.ts';
import { forEachRecordEntry, listDelete, listGetAll, listHas, listSet } from './02-entry-list.ts';

/** Who may change a Headers object. */
export type Guard = 'none' | 'immutable' | 'request' | 'response';

/** https://fetch.spec.whatwg.org/#concept-header-value-normalize: strip leading/trailing HTTP whitespace. */
function normalizeValue(value: unknown): string {
  const v = StringCtor(value);
  let start = 0;
  let end = v.length;
  const ws = (c: number) => c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;
  while (start < end && ws(StringPrototypeCharCodeAt(v, start))) start++;
  while (end > start && ws(StringPrototypeCharCodeAt(v, end - 1))) end--;
  return StringPrototypeSlice(v, start, end);
}

/** A header name is a token (RFC 9110 tchar). */
function isToken(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = StringPrototypeCharCodeAt(name, i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e;
    if (!ok) return false;
  }
  return true;
}

function checkName(name: unknown, what: string): string {
  const n = StringCtor(name);
  if (!isToken(n)) throw new TypeErrorCtor(`Failed to execute '${what}' on 'Headers': Invalid name '${n}'.`);
  return StringPrototypeToLowerCase(n);
}

function checkValue(value: unknown, what: string): string {
  const v = normalizeValue(value);
  for (let i = 0; i < v.length; i++) {
    const c = StringPrototypeCharCodeAt(v, i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0xff) throw new TypeErrorCtor(`Failed to execute '${what}' on 'Headers': Invalid value.`);
  }
  return v;
}

let setGuard: (h: Headers, guard: Guard) => void;
let listOf: (h: Headers) => [string, string][];
let append: (h: Headers, name: unknown, value: unknown) => void;
let get: (h: Headers, name: unknown) => string | null;
let set: (h: Headers, name: unknown, value: unknown) => void;
/** Sets a Headers object's guard (Request/Response use it). */
export function guardHeaders(h: Headers, guard: Guard): Headers { setGuard(h, guard); return h; }
/** The raw header list, in insertion order, names lowercased. */
export function headerList(h: Headers): readonly [string, string][] { return listOf(h); }
/** A new Headers object with a copy of `h`'s header list (guard "none"). */
export function copyHeaders(h: Headers): Headers {
  const copy = new Headers();
  const list = listOf(h);
  for (let i = 0; i < list.length; i++) ArrayPrototypePush(listOf(copy), [(list[i] as [string, string])[0], (list[i] as [string, string])[1]]);
  return copy;
}
/**
 * Headers (guard "request") from a list the host parsed and checked (Node's HTTP parser: names
 * are tokens, values have no CR, LF or NUL and are trimmed): names are lowercased, nothing else is
 * done, and no iterator a guest could have patched is called.
 */
export function trustedRequestHeaders(list: readonly [string, string][]): Headers {
  const h = new Headers();
  const own = listOf(h);
  for (let i = 0; i < list.length; i++) {
    const pair = list[i] as [string, string];
    own[i] = [StringPrototypeToLowerCase(pair[0]), pair[1]];
  }
  setGuard(h, 'request');
  return h;
}
/** Appends a header, as `h.append` does (Request and Response call this, not the patchable method). */
export function appendHeader(h: Headers, name: string, value: string): void { append(h, name, value); }
/** A header's combined value or null, as `h.get` does. */
export function getHeader(h: Headers, name: string): string | null { return get(h, name); }
/** Sets a header, as `h.set` does. */
export function setHeader(h: Headers, name: string, value: string): void { set(h, name, value); }

/** https://fetch.spec.whatwg.org/#headers-class */
export class Headers {
  #list: [string, string][] = [];
  #guard: Guard = 'none';

  constructor(init?: unknown) {
    if (init === undefined || init === null) return;
    if (typeof init !== 'object' && typeof init !== 'function') throw new TypeErrorCtor("Failed to construct 'Headers': The provided value is not of type 'HeadersInit'.");
    const iterator = (init as { [Symbol.iterator]?: unknown })[SymbolIterator];
    if (iterator !== undefined) {
      for (const pair of init as Iterable<unknown>) {
        const items: unknown[] = [];
        if (typeof pair !== 'object' || pair === null) throw new TypeErrorCtor("Failed to construct 'Headers': The provided value cannot be converted to a sequence.");
        for (const item of pair as Iterable<unknown>) ArrayPrototypePush(items, item);
        if (items.length !== 2) throw new TypeErrorCtor("Failed to construct 'Headers': Invalid value: each header pair must have exactly two items.");
        this.#append(items[0], items[1]);
      }
      return;
    }
    forEachRecordEntry(init, (key, value) => { this.#append(key, value); });
  }

  static {
    setGuard = (h, g) => { h.#guard = g; };
    listOf = (h) => h.#list;
    append = (h, name, value) => { h.#append(name, value); };
    get = (h, name) => h.#get(name);
    set = (h, name, value) => { h.#set(name, value); };
  }

  #mutable(what: string): void {
    if (this.#guard === 'immutable') throw new TypeErrorCtor(`Failed to execute '${what}' on 'Headers': Headers are immutable.`);
  }

  append(name: string, value: string): void { this.#append(name, value); }

  /** https://fetch.spec.whatwg.org/#concept-headers-append */
  #append(name: unknown, value: unknown): void {
    const n = checkName(name, 'append');
    const v = checkValue(value, 'append');
    this.#mutable('append');
    ArrayPrototypePush(this.#list, [n, v]);
  }

  delete(name: string): void {
    const n = checkName(name, 'delete');
    this.#mutable('delete');
    listDelete(this.#list, n);
  }

  get(name: string): string | null { return this.#get(name); }

  #get(name: unknown): string | null {
    const values = listGetAll(this.#list, checkName(name, 'get'));
    return values.length === 0 ? null : ArrayPrototypeJoin(values, ', ');
  }

  getSetCookie(): string[] { return listGetAll(this.#list, 'set-cookie'); }

  has(name: string): boolean { return listHas(this.#list, checkName(name, 'has')); }

  set(name: string, value: string): void { this.#set(name, value); }

  #set(name: unknown, value: unknown): void {
    const n = checkName(name, 'set');
    const v = checkValue(value, 'set');
    this.#mutable('set');
    listSet(this.#list, [n, v]);
  }

  /** https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine */
  #sorted(): [string, string][] {
    const names: string[] = [];
    for (let i = 0; i < this.#list.length; i++) {
      const n = (this.#list[i] as [string, string])[0];
      let seen = false;
      for (let j = 0; j < names.length; j++) if (names[j] === n) { seen = true; break; }
      if (!seen) ArrayPrototypePush(names, n);
    }
    for (let i = 1; i < names.length; i++) {
      const item = names[i] as string;
      let j = i - 1;
      while (j >= 0 && (names[j] as string) > item) { names[j + 1] = names[j] as string; j--; }
      names[j + 1] = item;
    }
    const out: [string, string][] = [];
    for (let i = 0; i < names.length; i++) {
      const n = names[i] as string;
      if (n === 'set-cookie') {
        for (let k = 0; k < this.#list.length; k++) { const e = this.#list[k] as [string, string]; if (e[0] === n) ArrayPrototypePush(out, [n, e[1]]); }
      } else {
        ArrayPrototypePush(out, [n, this.#get(n) as string]);
      }
    }
    return out;
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    const list = this.#sorted();
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as [string, string];
      ReflectApply(callback, thisArg, [e[1], e[0], this]);
    }
  }
  *entries(): IterableIterator<[string, string]> { const l = this.#sorted(); for (let i = 0; i < l.length; i++) yield l[i] as [string, string]; }
  *keys(): IterableIterator<string> { const l = this.#sorted(); for (let i = 0; i < l.length; i++) yield (l[i] as [string, string])[0]; }
  *values(): IterableIterator<string> { const l = this.#sorted(); for (let i = 0; i < l.length; i++) yield (l[i] as [string, string])[1]; }
  [Symbol.iterator](): IterableIterator<[string, string]> { return this.entries(); }
}
ObjectDefineProperty(Headers.prototype, Symbol.toStringTag, { value: 'Headers', configurable: true });
