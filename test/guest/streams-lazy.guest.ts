// The Streams module is evaluated on first use in each context (src/guest/13-streams.ts), so its
// evaluation can come after guest code. This file's first statements run before any stream exists
// in its sandbox: they patch what that evaluation would read from the global scope and from
// Object.prototype, then read a stream global (which makes the module), then restore everything.
// The streams made must be right, and none of the patches may have been reached.
import { test, run, assert } from './harness.ts';

const G = globalThis as unknown as Record<string, unknown>;
const define = Object.defineProperty;
const getOwn = Object.getOwnPropertyDescriptor;
const ObjectPrototype = Object.prototype;
const reached: string[] = [];

const before = {
  readable: getOwn(globalThis, 'ReadableStream'),
  count: getOwn(globalThis, 'CountQueuingStrategy'),
  writable: getOwn(globalThis, 'WritableStream'),
};

// Globals the module's evaluation names: each replaced with a recording fake.
const replaced = ['Object', 'Symbol', 'Number', 'Math', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Uint8ClampedArray', 'isFinite'];
const originals: Record<string, PropertyDescriptor | undefined> = {};
for (const name of replaced) {
  originals[name] = getOwn(globalThis, name);
  const fake = new Proxy(function fake() { /* recording fake */ }, {
    get(_t, key) { reached.push(`${name}.${String(key)}`); return undefined; },
    apply() { reached.push(`${name}()`); return undefined; },
    construct() { reached.push(`new ${name}`); return {}; },
  });
  define(globalThis, name, { value: fake, writable: true, configurable: true, enumerable: false });
}
// Accessors a descriptor lookup would reach: an unprotected Object.defineProperty(x, k, { value })
// would read `get` here, get a function, and install the guest's getter.
const guestGetter = function guestGetter(): string { reached.push('guest getter called'); return 'hijacked'; };
const protoKeys = ['get', 'set', 'value', 'writable', 'enumerable', 'configurable'];
for (const key of protoKeys) {
  define(ObjectPrototype, key, { __proto__: null, configurable: true, get() { reached.push(`Object.prototype.${key}`); return key === 'get' ? guestGetter : undefined; } } as PropertyDescriptor);
}

// The first read of a stream global makes the Streams module, under all of the above.
let made: unknown;
let makeError: unknown;
try { made = G['ReadableStream']; } catch (error) { makeError = error; }

for (const key of protoKeys) delete (ObjectPrototype as Record<string, unknown>)[key];
for (const name of replaced) define(globalThis, name, originals[name] as PropertyDescriptor);
const reachedWhileMaking = [...reached];

test('stream globals are accessors until first read, then the data properties Web IDL defines', () => {
  for (const d of [before.readable, before.count, before.writable]) {
    assert.ok(d !== undefined && typeof d.get === 'function' && typeof d.set === 'function' && !('value' in d), 'an accessor before first use');
    assert.equal(d?.enumerable, false);
    assert.equal(d?.configurable, true);
  }
  const after = getOwn(globalThis, 'ReadableStream');
  assert.ok(after !== undefined && 'value' in after && after.get === undefined, 'a data property after the first read');
  assert.equal(after?.value, made);
  assert.equal(after?.writable, true);
  assert.equal(after?.enumerable, false);
  assert.equal(after?.configurable, true);
  assert.equal(typeof made, 'function');
  assert.equal((made as { name: string }).name, 'ReadableStream');
});

test('making the Streams module after guest code reached none of its patches', () => {
  assert.equal(makeError, undefined);
  assert.deepEqual(reachedWhileMaking, []);
});

test('the classes made under the patches are whole: enumerable methods, toStringTag, iteration, typed views', async () => {
  const RS = ReadableStream;
  const getReader = getOwn(RS.prototype, 'getReader');
  assert.equal(typeof getReader?.value, 'function');
  assert.equal(getReader?.enumerable, true);
  assert.equal(getReader?.get, undefined);
  const locked = getOwn(RS.prototype, 'locked');
  assert.equal(typeof locked?.get, 'function');
  assert.ok(locked?.get !== guestGetter);
  assert.equal(Object.prototype.toString.call(new RS()), '[object ReadableStream]');
  assert.equal(Object.prototype.toString.call(new WritableStream()), '[object WritableStream]');
  const got: number[] = [];
  for await (const chunk of new RS<number>({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } })) got.push(chunk);
  assert.deepEqual(got, [1, 2]);
  // A BYOB read answers with a view of the reader's own type (the constructors bound at load).
  const bytes = new RS({ type: 'bytes', start(c) { c.enqueue(new Uint8Array([1, 0, 2, 0])); c.close(); } });
  const reader = bytes.getReader({ mode: 'byob' });
  const r = await reader.read(new Int16Array(2));
  assert.ok(r.value instanceof Int16Array, 'an Int16Array');
  assert.equal(r.value?.length, 2);
  assert.deepEqual(reached, []);
});

test('a stream global assigned or deleted before its first read behaves as a data property', () => {
  assert.equal(typeof getOwn(globalThis, 'ByteLengthQueuingStrategy')?.get, 'function');
  G['ByteLengthQueuingStrategy'] = 5;
  const d = getOwn(globalThis, 'ByteLengthQueuingStrategy');
  assert.equal(d?.value, 5);
  assert.equal(d?.writable, true);
  assert.equal(d?.enumerable, false);
  assert.ok(delete G['TransformStreamDefaultController']);
  assert.equal('TransformStreamDefaultController' in globalThis, false);
  // The accessor's functions work on the global object only.
  const get = before.count?.get as () => unknown;
  assert.throws(() => get.call({}), TypeError);
  assert.equal(get.call(globalThis), CountQueuingStrategy);
});

test('a Response body is a stream of the global ReadableStream class', async () => {
  const body = new Response('abc').body;
  assert.ok(body instanceof ReadableStream);
  assert.equal(await new Response(body).text(), 'abc');
});

export default run;
