import { test, assert, run } from './harness.ts';

test('structuredClone copies deep graphs with cycles, Maps, Sets, Dates, typed arrays, errors', () => {
  const a: any = { n: 1, d: new Date(5), m: new Map([[1, { x: 1 }]]), s: new Set([1, 2]), t: new Uint8Array([1, 2]), big: 10n };
  a.self = a;
  const b = structuredClone(a);
  assert.ok(b !== a && b.self === b);
  assert.equal(b.d.getTime(), 5);
  assert.deepEqual(b.m.get(1), { x: 1 });
  assert.ok(b.m.get(1) !== a.m.get(1));
  assert.deepEqual(b.t, new Uint8Array([1, 2]));
  assert.equal(b.big, 10n);
  const e = structuredClone(new RangeError('bad'));
  assert.ok(e instanceof RangeError);
  assert.equal(e.message, 'bad');
});

test('structuredClone refuses functions and symbols with DataCloneError', () => {
  for (const bad of [() => 1, { f() {} }, Symbol('s')]) {
    assert.throws(() => structuredClone(bad), (e) => e instanceof DOMException && e.name === 'DataCloneError');
  }
  assert.throws(() => (structuredClone as any)(), (e) => e instanceof TypeError);
});

test('structuredClone transfer detaches the original ArrayBuffer', () => {
  const buf = new Uint8Array([7, 8, 9]).buffer;
  const copy = structuredClone(buf, { transfer: [buf] }) as ArrayBuffer;
  assert.equal(buf.byteLength, 0);
  assert.deepEqual(new Uint8Array(copy), new Uint8Array([7, 8, 9]));
  assert.throws(() => structuredClone(1, { transfer: [{}] as any }), (e) => e.name === 'DataCloneError');
});

test('crypto.getRandomValues fills integer arrays, refuses floats and more than 64 KiB', () => {
  const a = crypto.getRandomValues(new Uint8Array(64));
  assert.ok(a.some((v) => v !== 0));
  const b = new Uint32Array(4);
  assert.equal(crypto.getRandomValues(b), b);
  assert.throws(() => crypto.getRandomValues(new Float64Array(2) as any), (e) => e.name === 'TypeMismatchError');
  assert.throws(() => crypto.getRandomValues(new Uint8Array(65537)), (e) => e.name === 'QuotaExceededError');
  crypto.getRandomValues(new Uint8Array(65536));
  assert.throws(() => new (Crypto as any)(), (e) => e instanceof TypeError);
});

test('crypto.randomUUID is a v4 UUID and differs each call', () => {
  const a = crypto.randomUUID();
  const b = crypto.randomUUID();
  assert.ok(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(a), a);
  assert.ok(a !== b);
});

test('globals are writable, configurable and not enumerable, as Web IDL defines them', () => {
  for (const name of ['URL', 'TextEncoder', 'Event', 'AbortController', 'setTimeout', 'crypto', 'structuredClone', 'console']) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    assert.ok(d !== undefined && d.writable === true && d.configurable === true && d.enumerable === false, name);
  }
  assert.equal(self, globalThis);
});

test('every global class and function carries its Web name (the prelude is minified; its names are kept)', () => {
  const wrong: string[] = [];
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    const value = d?.value as unknown;
    // Built-ins of the language are V8's own; the platform's are the prelude's.
    if (typeof value !== 'function' || name.startsWith('__islet') || /^[A-Z].*(Array|Error)$|^(Object|Function|Array|Number|parseFloat|parseInt|Boolean|String|Symbol|Date|Promise|RegExp|JSON|Math|Intl|ArrayBuffer|DataView|Map|BigInt|Set|WeakMap|WeakSet|Proxy|Reflect|WeakRef|FinalizationRegistry|Iterator|AsyncDisposableStack|DisposableStack|SuppressedError|Float16Array|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|escape|unescape|eval|isFinite|isNaN)$/.test(name)) continue;
    if ((value as { name: string }).name !== name) wrong.push(`${name} is named ${(value as { name: string }).name}`);
  }
  assert.deepEqual(wrong, []);
  const checked = ['Headers', 'Request', 'Response', 'ReadableStream', 'TextDecoderStream', 'DOMException', 'AbortSignal', 'FormData', 'fetch', 'atob', 'setTimeout', 'queueMicrotask', 'structuredClone'];
  for (const name of checked) assert.equal(typeof (globalThis as Record<string, unknown>)[name], 'function', name);
  // Methods and accessors keep theirs too, and instances print with their class name.
  assert.equal(Headers.prototype.append.name, 'append');
  assert.equal(Object.getOwnPropertyDescriptor(Request.prototype, 'url')?.get?.name, 'get url');
  assert.equal(new Response('x').constructor.name, 'Response');
});

test('no prelude internals hang off the public classes', () => {
  const leaks = [
    ['Crypto.create', (Crypto as any).create], ['SubtleCrypto.create', (SubtleCrypto as any).create], ['Performance.create', (Performance as any).create],
    ['Event.isDispatching', (Event as any).isDispatching], ['URL.updateSearch', (URL as any).updateSearch], ['__islet_boot', (globalThis as any).__islet_boot],
  ].filter(([, v]) => v !== undefined).map(([name]) => name);
  assert.deepEqual(leaks, []);
  for (const C of [Headers, Request, Response, Blob, URL, URLSearchParams, TextDecoder, EventTarget, AbortSignal]) {
    const statics = Object.getOwnPropertyNames(C).filter((n) => !['length', 'name', 'prototype', 'abort', 'timeout', 'any', 'json', 'redirect', 'error', 'parse', 'canParse'].includes(n));
    assert.deepEqual(statics, [], C.name);
  }
});

test('patched prototypes do not break the Web APIs', () => {
  const saved = { push: Array.prototype.push, iter: Array.prototype[Symbol.iterator], then: Promise.prototype.then, slice: String.prototype.slice, get: Map.prototype.get, call: Function.prototype.call, apply: Function.prototype.apply, exec: RegExp.prototype.exec };
  try {
    Array.prototype.push = () => { throw new Error('hijacked'); };
    Map.prototype.get = () => { throw new Error('hijacked'); };
    String.prototype.slice = () => 'hijacked';
    Function.prototype.call = () => { throw new Error('hijacked'); };
    Function.prototype.apply = () => { throw new Error('hijacked'); };
    RegExp.prototype.exec = () => null;
    const out = [
      new URL('https://h/p?x=1').searchParams.get('x'),
      new TextDecoder().decode(new TextEncoder().encode('é')),
      atob(btoa('ok')),
      new URLSearchParams('a=1&b=2').toString(),
    ];
    const t = new EventTarget();
    let fired = 0;
    t.addEventListener('e', () => { fired++; });
    t.dispatchEvent(new Event('e'));
    const ac = new AbortController();
    ac.abort();
    Array.prototype.push = saved.push;
    Map.prototype.get = saved.get;
    String.prototype.slice = saved.slice;
    Function.prototype.call = saved.call;
    Function.prototype.apply = saved.apply;
    RegExp.prototype.exec = saved.exec;
    assert.deepEqual(out, ['1', 'é', 'ok', 'a=1&b=2']);
    assert.equal(fired, 1);
    assert.equal(ac.signal.aborted, true);
  } finally {
    Object.assign(Array.prototype, { push: saved.push });
    Map.prototype.get = saved.get;
    String.prototype.slice = saved.slice;
    Function.prototype.call = saved.call;
    Function.prototype.apply = saved.apply;
    RegExp.prototype.exec = saved.exec;
  }
});

export default run;
