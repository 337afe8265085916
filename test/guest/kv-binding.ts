// The KV binding, tested inside a real isolate. Not a *.guest.ts file: test/kv.test.ts runs it in a
// run core with two KV bindings, CACHE and OTHER (different namespaces, one SQLite store).
import { test, assert, run } from './harness.ts';

const CACHE = (env as any).CACHE;
const OTHER = (env as any).OTHER;
const MiB = 1024 * 1024;
const now = () => Math.floor(Date.now() / 1000);
const bytes = (s: string) => new TextEncoder().encode(s);
const isError = (message: string) => (e: any) => e?.constructor === Error && e.message === message;
const isTypeError = (message: string) => (e: any) => e instanceof TypeError && e.message === message;

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

test('get, put and delete round-trip a string; a missing key is null', async () => {
  assert.equal(await CACHE.get('rt:missing'), null);
  assert.equal(await CACHE.put('rt:a', 'héllo ☃'), undefined);
  assert.equal(await CACHE.get('rt:a'), 'héllo ☃');
  await CACHE.put('rt:a', 'replaced');
  assert.equal(await CACHE.get('rt:a'), 'replaced');
  assert.equal(await CACHE.delete('rt:a'), undefined);
  assert.equal(await CACHE.get('rt:a'), null);
  assert.equal(await CACHE.delete('rt:never-there'), undefined);
});

test('get types: text (default), json, arrayBuffer, stream, as a string or { type }; cacheTtl is accepted', async () => {
  await CACHE.put('types:j', JSON.stringify({ a: [1, 'two', null] }));
  assert.equal(await CACHE.get('types:j', 'text'), '{"a":[1,"two",null]}');
  assert.equal(await CACHE.get('types:j', { type: 'text', cacheTtl: 60 }), '{"a":[1,"two",null]}');
  assert.deepEqual(await CACHE.get('types:j', 'json'), { a: [1, 'two', null] });
  assert.deepEqual(await CACHE.get('types:j', { type: 'json' }), { a: [1, 'two', null] });
  const buffer = await CACHE.get('types:j', 'arrayBuffer');
  assert.ok(buffer instanceof ArrayBuffer, 'an ArrayBuffer');
  assert.equal(new TextDecoder().decode(buffer), '{"a":[1,"two",null]}');
  const stream = await CACHE.get('types:j', { type: 'stream' });
  assert.ok(stream instanceof ReadableStream, 'a ReadableStream of the guest stdlib');
  assert.equal(await new Response(stream).text(), '{"a":[1,"two",null]}');
  for (const type of ['json', 'arrayBuffer', 'stream', 'text']) assert.equal(await CACHE.get('types:none', type), null, type);
  await assert.rejects(CACHE.get('types:j', 'blob'), isTypeError('Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".'));
  await CACHE.put('types:bad-json', '{nope');
  await assert.rejects(CACHE.get('types:bad-json', 'json'), (e) => e instanceof SyntaxError);
});

test('a large value arrives as a chunked byte stream', async () => {
  const big = new Uint8Array(200_000).map((_, i) => i % 251);
  await CACHE.put('stream:big', big);
  const chunks = await readStream(await CACHE.get('stream:big', 'stream'));
  assert.ok(chunks.length > 1, `more than one chunk (${chunks.length})`);
  const joined = new Uint8Array(await new Blob(chunks).arrayBuffer());
  assert.deepEqual(joined, big);
  await CACHE.put('stream:empty', '');
  assert.deepEqual(await readStream(await CACHE.get('stream:empty', 'stream')), []);
  assert.equal(await CACHE.get('stream:empty'), '');
});

test('put takes strings, ArrayBuffers, views (offset respected), DataViews and ReadableStreams', async () => {
  const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
  await CACHE.put('put:view', backing.subarray(2, 5));
  assert.deepEqual(new Uint8Array(await CACHE.get('put:view', 'arrayBuffer')), new Uint8Array([1, 2, 3]));
  await CACHE.put('put:ab', new Uint8Array([0, 255, 128]).buffer);
  assert.deepEqual(new Uint8Array(await CACHE.get('put:ab', 'arrayBuffer')), new Uint8Array([0, 255, 128]));
  await CACHE.put('put:dv', new DataView(backing.buffer, 1, 3));
  assert.deepEqual(new Uint8Array(await CACHE.get('put:dv', 'arrayBuffer')), new Uint8Array([9, 1, 2]));
  await CACHE.put('put:u16', new Uint16Array([0x0102]));
  assert.equal(new Uint8Array(await CACHE.get('put:u16', 'arrayBuffer')).length, 2);
  // The value is copied when put is called: later writes to the buffer do not change it.
  const mutable = new Uint8Array([1, 1]);
  const pending = CACHE.put('put:copied', mutable);
  mutable[0] = 7;
  await pending;
  assert.deepEqual(new Uint8Array(await CACHE.get('put:copied', 'arrayBuffer')), new Uint8Array([1, 1]));
  let i = 0;
  await CACHE.put('put:stream', new ReadableStream({ pull(c) { if (i === 3) { c.close(); return; } c.enqueue(bytes(`part${i++};`)); } }));
  assert.equal(await CACHE.get('put:stream'), 'part0;part1;part2;');
  await CACHE.put('put:text-stream', new Blob(['from ', 'a blob']).stream());
  assert.equal(await CACHE.get('put:text-stream'), 'from a blob');
  for (const bad of [123, null, undefined, { a: 1 }, [1, 2], new Blob(['x'])]) {
    await assert.rejects(CACHE.put('put:bad', bad), isTypeError('KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.'), String(bad));
  }
  await assert.rejects(CACHE.put('put:bad-chunks', new ReadableStream({ start(c) { c.enqueue('a string chunk'); c.close(); } })),
    isTypeError('KV put() stream chunks must be ArrayBuffers or ArrayBufferViews.'));
  const locked = new ReadableStream();
  locked.getReader();
  await assert.rejects(CACHE.put('put:locked', locked), (e) => e instanceof TypeError);
  assert.equal(await CACHE.get('put:bad'), null);
});

test('getWithMetadata: value and metadata, null metadata when none, nulls when missing', async () => {
  await CACHE.put('meta:a', 'v', { metadata: { owner: 'ann', tags: ['x'], n: 1.5 } });
  assert.deepEqual(await CACHE.getWithMetadata('meta:a'), { value: 'v', metadata: { owner: 'ann', tags: ['x'], n: 1.5 }, cacheStatus: null });
  assert.deepEqual(await CACHE.getWithMetadata('meta:a', 'json').catch((e: Error) => e.name), 'SyntaxError');
  const typed = await CACHE.getWithMetadata('meta:a', { type: 'arrayBuffer' });
  assert.equal(new TextDecoder().decode(typed.value), 'v');
  await CACHE.put('meta:none', 'w');
  assert.deepEqual(await CACHE.getWithMetadata('meta:none'), { value: 'w', metadata: null, cacheStatus: null });
  await CACHE.put('meta:null', 'w', { metadata: null });
  assert.deepEqual(await CACHE.getWithMetadata('meta:null'), { value: 'w', metadata: null, cacheStatus: null });
  assert.deepEqual(await CACHE.getWithMetadata('meta:missing'), { value: null, metadata: null, cacheStatus: null });
  // Metadata is stored as JSON: what JSON drops is dropped.
  await CACHE.put('meta:json', 'v', { metadata: { d: new Date(0), f() {}, u: undefined } });
  assert.deepEqual((await CACHE.getWithMetadata('meta:json')).metadata, { d: '1970-01-01T00:00:00.000Z' });
  // A put without metadata replaces the old metadata.
  await CACHE.put('meta:a', 'v2');
  assert.deepEqual(await CACHE.getWithMetadata('meta:a'), { value: 'v2', metadata: null, cacheStatus: null });
});

test('list: keys in UTF-8 byte order, prefix, limit, cursor paging, expiration and metadata', async () => {
  // UTF-16 order would put U+FFFF after the emoji (a surrogate pair); UTF-8 byte order puts it before.
  const names = ['ls:b', 'ls:a', 'ls:é', 'ls:\uffff', 'ls:😀', 'ls:a:1', 'ls:A'];
  for (const name of names) await CACHE.put(name, name);
  const all = await CACHE.list({ prefix: 'ls:' });
  assert.deepEqual(all.keys.map((k: any) => k.name), ['ls:A', 'ls:a', 'ls:a:1', 'ls:b', 'ls:é', 'ls:\uffff', 'ls:😀']);
  assert.equal(all.list_complete, true);
  assert.equal('cursor' in all, false, 'no cursor on the last page');
  assert.equal(all.cacheStatus, null);
  assert.deepEqual((await CACHE.list({ prefix: 'ls:a' })).keys.map((k: any) => k.name), ['ls:a', 'ls:a:1']);
  assert.deepEqual((await CACHE.list({ prefix: 'ls:zzz' })).keys, []);

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await CACHE.list({ prefix: 'ls:', limit: 3, ...(cursor === undefined ? {} : { cursor }) });
    pages++;
    assert.ok(page.keys.length <= 3);
    seen.push(...page.keys.map((k: any) => k.name));
    if (page.list_complete) break;
    assert.equal(typeof page.cursor, 'string');
    cursor = page.cursor;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, all.keys.map((k: any) => k.name));

  const expiration = now() + 3600;
  await CACHE.put('lx:exp', 'v', { expiration, metadata: { m: 1 } });
  await CACHE.put('lx:ttl', 'v', { expirationTtl: 600 });
  await CACHE.put('lx:plain', 'v');
  const detailed = await CACHE.list({ prefix: 'lx:' });
  assert.deepEqual(detailed.keys[0], { name: 'lx:exp', expiration, metadata: { m: 1 } });
  assert.deepEqual(detailed.keys[1], { name: 'lx:plain' });
  assert.equal(detailed.keys[2].name, 'lx:ttl');
  assert.ok(Math.abs(detailed.keys[2].expiration - (now() + 600)) <= 2, 'ttl expiration is about now + 600');
  const full = await CACHE.list();
  assert.ok(full.keys.length >= 10 && full.keys.length <= 1000);
});

test('list returns at most 1000 keys by default and pages the rest', async () => {
  await Promise.all(Array.from({ length: 1005 }, (_, i) => CACHE.put(`many:${String(i).padStart(4, '0')}`, '')));
  const first = await CACHE.list({ prefix: 'many:' });
  assert.equal(first.keys.length, 1000);
  assert.equal(first.list_complete, false);
  const second = await CACHE.list({ prefix: 'many:', cursor: first.cursor });
  assert.deepEqual(second.keys.map((k: any) => k.name), ['many:1000', 'many:1001', 'many:1002', 'many:1003', 'many:1004']);
  assert.equal(second.list_complete, true);
  assert.equal((await CACHE.list({ prefix: 'many:', limit: 1000 })).keys.length, 1000);
});

test('keys: empty, "." and ".." are TypeErrors; 512 UTF-8 bytes pass, 513 are an Error naming the limit', async () => {
  await assert.rejects(CACHE.get(''), isTypeError('Key name cannot be empty.'));
  await assert.rejects(CACHE.put('.', 'v'), isTypeError('"." is not allowed as a key name.'));
  await assert.rejects(CACHE.delete('..'), isTypeError('".." is not allowed as a key name.'));
  const max = 'k'.repeat(510) + 'é'; // 512 bytes
  await CACHE.put(max, 'v');
  assert.equal(await CACHE.get(max), 'v');
  await assert.rejects(CACHE.put('k'.repeat(513), 'v'), isError('KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.'));
  await assert.rejects(CACHE.get('é'.repeat(257)), isError('KV GET failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512.'));
  await assert.rejects(CACHE.delete('€'.repeat(171)), isError('KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.'));
  await assert.rejects(CACHE.get(['a', 'b']), isTypeError('KV get() with an array of keys (bulk get) is not supported; get the keys one by one.'));
  await assert.rejects(CACHE.get(undefined), (e) => e instanceof TypeError);
  // Keys are strings: other values are converted, as Workers does.
  await CACHE.put(42, 'forty-two');
  assert.equal(await CACHE.get('42'), 'forty-two');
});

test('values: 25 MiB pass, 25 MiB + 1 byte is an Error naming the limit (bytes, strings and streams)', async () => {
  await assert.rejects(CACHE.put('big:over', new Uint8Array(25 * MiB + 1)), isError('KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.'));
  await assert.rejects(CACHE.put('big:over', 'x'.repeat(25 * MiB + 1)), isError('KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.'));
  // 'é' is two bytes: a string under the limit in characters can be over it in bytes.
  await assert.rejects(CACHE.put('big:over', 'é'.repeat(13 * MiB)), isError(`KV PUT failed: 413 Value length of ${26 * MiB} exceeds limit of 26214400.`));
  let sent = 0;
  const chunk = new Uint8Array(MiB);
  await assert.rejects(CACHE.put('big:over', new ReadableStream({ pull(c) { sent++; c.enqueue(chunk.slice()); } })), isError(`KV PUT failed: 413 Value length of ${26 * MiB} exceeds limit of 26214400.`));
  assert.equal(sent >= 26 && sent <= 28, true, `the stream was read only past the limit (${sent} chunks)`);
  assert.equal(await CACHE.get('big:over'), null);
  await CACHE.put('big:max', new Uint8Array(25 * MiB));
  assert.equal((await CACHE.get('big:max', 'arrayBuffer')).byteLength, 25 * MiB);
  await CACHE.delete('big:max');
});

test('metadata: 1024 bytes of JSON pass, 1025 are an Error naming the limit; unserializable metadata is a TypeError', async () => {
  const fits = { m: 'x'.repeat(1024 - '{"m":""}'.length) };
  await CACHE.put('md:fits', 'v', { metadata: fits });
  assert.deepEqual((await CACHE.getWithMetadata('md:fits')).metadata, fits);
  await assert.rejects(CACHE.put('md:over', 'v', { metadata: { m: 'x'.repeat(1025 - '{"m":""}'.length) } }), isError('KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.'));
  const cyclic: any = {};
  cyclic.self = cyclic;
  await assert.rejects(CACHE.put('md:cyclic', 'v', { metadata: cyclic }), (e) => e instanceof TypeError);
  await assert.rejects(CACHE.put('md:bigint', 'v', { metadata: { n: 1n } }), (e) => e instanceof TypeError);
  assert.equal(await CACHE.get('md:over'), null);
});

test('expiration: expirationTtl under 60 and expiration under 60 s ahead are Errors; bad numbers are Errors', async () => {
  await assert.rejects(CACHE.put('exp:a', 'v', { expirationTtl: 59 }), isError('KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60.'));
  await assert.rejects(CACHE.put('exp:a', 'v', { expirationTtl: 0 }), (e) => e.constructor === Error && /Invalid expiration_ttl of 0/.test(e.message));
  await assert.rejects(CACHE.put('exp:a', 'v', { expirationTtl: 'soon' }), (e) => e.constructor === Error && /Invalid expiration_ttl of soon/.test(e.message));
  const soon = now() + 30;
  await assert.rejects(CACHE.put('exp:a', 'v', { expiration: soon }), isError(`KV PUT failed: 400 Invalid expiration of ${soon}. Expiration times must be at least 60 seconds in the future.`));
  await assert.rejects(CACHE.put('exp:a', 'v', { expiration: -5 }), (e) => e.constructor === Error && /Invalid expiration of -5/.test(e.message));
  await assert.rejects(CACHE.put('exp:a', 'v', { expiration: Infinity }), (e) => e.constructor === Error && /Invalid expiration of Infinity/.test(e.message));
  assert.equal(await CACHE.get('exp:a'), null);
  await CACHE.put('exp:ok', 'v', { expirationTtl: 60.9 });
  const listed = (await CACHE.list({ prefix: 'exp:' })).keys[0];
  assert.equal(listed.name, 'exp:ok');
  assert.ok(Math.abs(listed.expiration - (now() + 60)) <= 2, 'fractions of a second are dropped');
});

test('list options: limit outside 1..1000 is an Error; a forged cursor is a TypeError', async () => {
  for (const limit of [0, 1001, 2.5, -1, 'many']) {
    await assert.rejects(CACHE.list({ limit }), (e) => e.constructor === Error && e.message.startsWith(`KV LIST failed: 400 Invalid key_count_limit of ${limit}.`), String(limit));
  }
  await assert.rejects(CACHE.list({ cursor: '%%%not-a-cursor' }), isTypeError('KV LIST failed: 400 Invalid cursor. Pass the cursor of an earlier list() result unchanged.'));
  await assert.rejects(CACHE.list({ cursor: 'x'.repeat(1025) }), (e) => e instanceof TypeError);
  await assert.rejects(CACHE.list({ prefix: 'p'.repeat(513) }), (e) => e.constructor === Error && /prefix/.test(e.message));
  await assert.rejects(CACHE.list('prefix'), (e) => e instanceof TypeError);
});

test('bad arguments reject; the methods never throw synchronously', () => {
  const calls = [() => CACHE.get(''), () => CACHE.put('', 'v'), () => CACHE.put('k', 1), () => CACHE.delete('.'), () => CACHE.list({ limit: 0 }),
    () => CACHE.get.call({}, 'k'), () => CACHE.list.call(undefined)];
  for (const call of calls) {
    const p = call();
    assert.ok(p instanceof Promise, 'returns a promise');
    p.catch(() => {});
  }
});

test('two bindings are two namespaces: neither sees the other\'s keys', async () => {
  await CACHE.put('shared-name', 'in cache');
  assert.equal(await OTHER.get('shared-name'), null);
  await OTHER.put('shared-name', 'in other');
  await OTHER.put('only-other', 'x');
  assert.equal(await CACHE.get('shared-name'), 'in cache');
  assert.equal(await OTHER.get('shared-name'), 'in other');
  assert.equal(await CACHE.get('only-other'), null);
  assert.deepEqual((await OTHER.list()).keys.map((k: any) => k.name), ['only-other', 'shared-name']);
  await OTHER.delete('shared-name');
  assert.equal(await CACHE.get('shared-name'), 'in cache');
});

test('a binding is an opaque, frozen KVNamespace: no state, no handles, no constructor, no namespace to name', async () => {
  assert.equal(Object.prototype.toString.call(CACHE), '[object KVNamespace]');
  assert.deepEqual(Reflect.ownKeys(CACHE), []);
  assert.ok(Object.isFrozen(CACHE) && Object.isFrozen(env));
  assert.equal(Object.getPrototypeOf(env), null);
  const proto = Object.getPrototypeOf(CACHE);
  assert.deepEqual(Reflect.ownKeys(proto).map(String).sort(), ['Symbol(Symbol.toStringTag)', 'constructor', 'delete', 'get', 'getWithMetadata', 'list', 'put']);
  assert.ok(Object.isFrozen(proto));
  assert.deepEqual(Object.getOwnPropertyNames(proto.constructor).sort(), ['length', 'name', 'prototype']);
  assert.throws(() => new proto.constructor(), (e) => e instanceof TypeError && e.message === 'Illegal constructor');
  assert.throws(() => new proto.constructor({}, 'OTHER'), (e) => e instanceof TypeError);
  assert.equal((globalThis as any).KVNamespace, undefined);
  await assert.rejects(proto.get.call(Object.create(proto), 'k'), isTypeError('Illegal invocation'));
  await assert.rejects(CACHE.get.call({ binding: 'OTHER' }, 'k'), isTypeError('Illegal invocation'));
  // Nothing can be added to a binding.
  assert.throws(() => { (CACHE as any).namespace = 'other'; }, (e) => e instanceof TypeError);
});

export default run;
