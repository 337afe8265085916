// A hostile guest for the KV binding, run by test/kv.test.ts in a fresh context per mode. It
// replaces built-ins with traps that record their name and throw, then uses the binding. The
// binding must still work and must reach none of the traps (returned as `trapped`).
//
// Traps on Array, Object, Promise, Function, Reflect, JSON, String, Map, typed arrays, encoders,
// prototype setters and the global constructors. Mode "all": every method but streams. Mode
// "streams": stream get and put (through the hardened streams, src/guest/vendor/).
const CACHE = (env as any).CACHE;

export default async function main(mode: 'all' | 'streams'): Promise<unknown> {
  const G = globalThis as any;
  const apply = Reflect.apply;
  const getOwn = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty;
  const setProto = Object.setPrototypeOf;
  /** A saved descriptor, without a prototype (so restoring it reads no trapped Object.prototype.get). */
  const savedOf = (owner: any, key: PropertyKey): PropertyDescriptor | undefined => {
    const d = getOwn(owner, key);
    if (d !== undefined) setProto(d, null);
    return d;
  };
  const TA = Object.getPrototypeOf(Uint8Array.prototype);
  const U8 = Uint8Array;
  const SavedError = Error;
  const SavedTypeError = TypeError;
  const lengthOf = (getOwn(TA, 'length') as PropertyDescriptor).get as () => number;
  const savedGetReader = ReadableStream.prototype.getReader;
  const savedRead = ReadableStreamDefaultReader.prototype.read;
  // Made before the traps go in.
  let part = 0;
  const source = new ReadableStream({
    pull(c) {
      if (part === 2) { c.close(); return; }
      const chunk = new U8(2); // not new U8([...]): that would use the trapped array iterator
      chunk[0] = 97 + part++;
      chunk[1] = 33;
      c.enqueue(chunk);
    },
  });
  const smallBytes = new U8([1, 2, 3]);

  let trapped = '';
  const restores: (() => void)[] = [];
  const keep = (fn: () => void): void => { restores[restores.length] = fn; };
  const trap = (owner: any, keys: readonly (string | symbol)[], label: string): void => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string | symbol;
      const name = `${label}${typeof key === 'symbol' ? '[Symbol.iterator]' : `.${key}`}`;
      const saved = savedOf(owner, key);
      define(owner, key, { __proto__: null, value: function trapped_() { trapped += `${name};`; throw new SavedError(`trap ${name}`); }, writable: true, configurable: true } as PropertyDescriptor);
      keep(() => { if (saved === undefined) delete owner[key]; else define(owner, key, saved); });
    }
  };
  const trapGetters = (owner: any, keys: readonly string[], label: string): void => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const saved = savedOf(owner, key);
      define(owner, key, { __proto__: null, get() { trapped += `get ${label}.${key};`; throw new SavedError(`trap ${key}`); }, configurable: true } as PropertyDescriptor);
      keep(() => { if (saved !== undefined) define(owner, key, saved); });
    }
  };
  const trapSetters = (owner: any, keys: readonly string[], label: string): void => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      define(owner, key, { __proto__: null, set() { trapped += `set ${label}.${key};`; throw new SavedError(`trap ${key}`); }, configurable: true } as PropertyDescriptor);
      keep(() => { delete owner[key]; });
    }
  };

  /** The traps, part one. */
  const common = (): void => {
    trap(Promise.prototype, ['then', 'catch', 'finally'], 'Promise.prototype');
    trap(Promise, ['resolve', 'reject', 'all'], 'Promise');
    trap(Reflect, ['apply', 'ownKeys', 'construct', 'defineProperty'], 'Reflect');
    trap(JSON, ['parse', 'stringify'], 'JSON');
    trap(Object, ['keys', 'assign', 'freeze', 'entries', 'hasOwn'], 'Object');
    trap(Object.prototype, ['toString'], 'Object.prototype');
    trapSetters(Object.prototype, ['value', 'metadata', 'expiration', 'expirationTtl', 'cursor', 'keys', 'name', 'list_complete', 'cacheStatus', 'op', 'key', 'prefix', 'limit', 'type'], 'Object.prototype');
    trap(String.prototype, ['slice', 'charCodeAt', 'toWellFormed', 'split', 'indexOf', 'replace', 'codePointAt'], 'String.prototype');
    trap(Map.prototype, ['get', 'set', 'delete', 'has'], 'Map.prototype');
    trap(TextEncoder.prototype, ['encode'], 'TextEncoder.prototype');
    trap(TextDecoder.prototype, ['decode'], 'TextDecoder.prototype');
    trap(ReadableStream.prototype, ['getReader'], 'ReadableStream.prototype');
    trap(ReadableStreamDefaultReader.prototype, ['read', 'cancel'], 'ReadableStreamDefaultReader.prototype');
    trap(G, ['Promise', 'Map', 'JSON'], 'globalThis');
    // Read by Object.defineProperty from any descriptor object that inherits from Object.prototype.
    trapGetters(Object.prototype, ['get', 'set', 'writable', 'enumerable', 'configurable'], 'Object.prototype');
  };
  /** Part two. Array.prototype goes last: the loops above iterate arrays by index only. */
  const rest = (): void => {
    trap(Object, ['create', 'getPrototypeOf', 'defineProperty'], 'Object');
    trap(Object.prototype, ['hasOwnProperty'], 'Object.prototype');
    trap(TA, ['set', 'subarray', 'slice'], 'TypedArray.prototype');
    trapGetters(TA, ['buffer', 'byteOffset', 'byteLength', 'length'], 'TypedArray.prototype');
    trapGetters(ArrayBuffer.prototype, ['byteLength'], 'ArrayBuffer.prototype');
    trap(G, ['Error', 'TypeError', 'Uint8Array', 'ArrayBuffer', 'String', 'Number', 'Reflect'], 'globalThis');
    trap(Function.prototype, ['call', 'apply', 'bind'], 'Function.prototype');
    trap(Array, ['isArray', 'from', 'of'], 'Array');
    trap(Array.prototype, ['push', 'pop', 'shift', 'unshift', 'slice', 'splice', 'map', 'filter', 'forEach', 'join', 'concat', 'indexOf', 'includes', 'at', Symbol.iterator], 'Array.prototype');
  };
  const restoreAll = (): void => { for (let i = restores.length - 1; i >= 0; i--) (restores[i] as () => void)(); };
  const bytesOf = (view: Uint8Array): number[] => {
    const out: number[] = [];
    const n = apply(lengthOf, view, []);
    for (let i = 0; i < n; i++) out[i] = view[i] as number;
    return out;
  };
  const outcome = async (p: Promise<unknown>): Promise<string> => {
    try { await p; return 'resolved'; } catch (e: any) {
      return `${e instanceof SavedTypeError ? 'TypeError' : e instanceof SavedError ? 'Error' : 'other'}: ${e.message}`;
    }
  };

  if (mode === 'streams') {
    await CACHE.put('hs:plain', 'text');
    common();
    rest();
    let put: string;
    let streamed: number[] = [];
    try {
      put = await outcome(CACHE.put('hs:stream', source));
      const stream = await CACHE.get('hs:plain', 'stream');
      const reader = apply(savedGetReader, stream, []);
      for (;;) {
        const r: any = await apply(savedRead, reader, []);
        if (r.done) break;
        const bytes = bytesOf(r.value);
        for (let i = 0; i < bytes.length; i++) streamed[streamed.length] = bytes[i] as number;
      }
    } finally {
      restoreAll();
    }
    return { trapped, put, stored: await CACHE.get('hs:stream'), streamed };
  }

  await CACHE.put('h:json', '{"n":[1,2]}');
  common();
  rest();
  let results: unknown[];
  try {
    const put = await outcome(CACHE.put('h:a', 'héllo', { metadata: { m: 1 }, expirationTtl: 120 }));
    const putBytes = await outcome(CACHE.put('h:b', smallBytes));
    const text = await CACHE.get('h:a');
    const json = await CACHE.get('h:json', { type: 'json' });
    const buffer = bytesOf(new U8(await CACHE.get('h:b', 'arrayBuffer')));
    const withMeta = await CACHE.getWithMetadata('h:a');
    const page1 = await CACHE.list({ prefix: 'h:', limit: 2 });
    const page2 = await CACHE.list({ prefix: 'h:', cursor: page1.cursor });
    const deleted = await outcome(CACHE.delete('h:b'));
    const gone = await CACHE.get('h:b');
    const errors = [
      await outcome(CACHE.put('', 'v')),
      await outcome(CACHE.put('k'.repeat(513), 'v')),
      await outcome(CACHE.put('k', 'v', { metadata: { m: 'x'.repeat(1020) } })),
      await outcome(CACHE.put('k', 'v', { expirationTtl: 59 })),
      await outcome(CACHE.put('k', 42)),
      await outcome(CACHE.list({ limit: 1001 })),
      await outcome(apply(CACHE.get, {}, ['k'])),
    ];
    results = [put, putBytes, text, json, buffer, withMeta, page1, page2, deleted, gone, errors];
  } finally {
    restoreAll();
  }
  return { trapped, results };
}
