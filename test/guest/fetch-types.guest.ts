import { test, assert, run } from './harness.ts';

test('Headers: case-insensitive, value normalisation, combining, sorted iteration, set-cookie kept apart', () => {
  const h = new Headers({ 'X-B': ' two ', 'x-a': 'one' });
  h.append('X-a', 'uno');
  h.append('Set-Cookie', 'a=1');
  h.append('set-cookie', 'b=2');
  assert.equal(h.get('x-b'), 'two');
  assert.equal(h.get('X-A'), 'one, uno');
  assert.deepEqual([...h], [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-a', 'one, uno'], ['x-b', 'two']]);
  assert.deepEqual(h.getSetCookie(), ['a=1', 'b=2']);
  h.set('x-a', 'only');
  h.delete('X-B');
  assert.deepEqual([...h.keys()], ['set-cookie', 'set-cookie', 'x-a']);
  assert.equal(h.has('x-b'), false);
  assert.equal(h.get('missing'), null);
});

test('Headers refuse invalid names and values (TypeError)', () => {
  const h = new Headers();
  for (const name of ['', 'a b', 'é', 'a:b']) assert.throws(() => h.set(name, 'v'), (e) => e instanceof TypeError, `name ${JSON.stringify(name)}`);
  for (const value of ['a\nb', 'a\rb', 'a\0b', 'snow☃']) assert.throws(() => h.set('x', value), (e) => e instanceof TypeError, `value ${JSON.stringify(value)}`);
  assert.throws(() => new Headers([['a']] as any), (e) => e instanceof TypeError);
  assert.deepEqual([...new Headers([['A', '1'], ['b', '2']])], [['a', '1'], ['b', '2']]);
});

test('Response: constructor, status checks, body readers, bodyUsed, clone', async () => {
  const r = new Response('hello', { status: 201, statusText: 'Created', headers: { 'x-y': 'z' } });
  assert.equal(r.status, 201);
  assert.equal(r.ok, true);
  assert.equal(r.statusText, 'Created');
  assert.equal(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
  const c = r.clone();
  assert.equal(await r.text(), 'hello');
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), (e) => e instanceof TypeError, 'second read');
  assert.throws(() => r.clone(), (e) => e instanceof TypeError);
  assert.deepEqual(await c.bytes(), new TextEncoder().encode('hello'));
  assert.throws(() => new Response('x', { status: 204 }), (e) => e instanceof TypeError, 'null body status');
  assert.throws(() => new Response(null, { status: 600 }), (e) => e instanceof RangeError);
  assert.throws(() => new Response(null, { status: 199 }), (e) => e instanceof RangeError);
  assert.equal(new Response().body, null);
  assert.equal(await new Response().text(), '');
});

test('Response.json, Response.redirect, Response.error', async () => {
  const j = Response.json({ a: [1] }, { status: 202 });
  assert.equal(j.headers.get('content-type'), 'application/json');
  assert.deepEqual(await j.json(), { a: [1] });
  const r = Response.redirect('https://example.com/next', 307);
  assert.equal(r.status, 307);
  assert.equal(r.headers.get('location'), 'https://example.com/next');
  assert.throws(() => r.headers.set('x', 'y'), (e) => e instanceof TypeError, 'immutable headers');
  assert.throws(() => Response.redirect('https://e.com', 200), (e) => e instanceof RangeError);
  const e = Response.error();
  assert.equal(e.type, 'error');
  assert.equal(e.status, 0);
  assert.throws(() => Response.json(undefined), (err) => err instanceof TypeError);
});

test('streaming bodies: a ReadableStream in, chunks out, body locked while read', async () => {
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('ab')); c.enqueue(new TextEncoder().encode('cd')); c.close(); } });
  const r = new Response(stream);
  const reader = r.body!.getReader();
  await assert.rejects(r.text(), (e) => e instanceof TypeError, 'locked');
  let text = '';
  for (;;) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); }
  assert.equal(text, 'abcd');
  assert.equal(r.bodyUsed, true);
  const teed = new Response(new Blob(['xyz']).stream());
  const copy = teed.clone();
  assert.deepEqual([await teed.text(), await copy.text()], ['xyz', 'xyz']);
});

test('body init types: Blob, ArrayBuffer, typed arrays, URLSearchParams, FormData', async () => {
  assert.equal(new Response(new Blob(['b'], { type: 'text/x' })).headers.get('content-type'), 'text/x');
  assert.equal(await new Response(new Uint8Array([104, 105]).buffer).text(), 'hi');
  assert.equal(await new Response(new DataView(new Uint8Array([111, 107]).buffer)).text(), 'ok');
  const form = new Response(new URLSearchParams({ a: '1 2' }));
  assert.equal(form.headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
  assert.equal((await form.formData()).get('a'), '1 2');
  const fd = new FormData();
  fd.append('name', 'value');
  fd.append('file', new Blob(['content'], { type: 'text/plain' }), 'a.txt');
  const multipart = new Response(fd);
  assert.ok(multipart.headers.get('content-type')!.startsWith('multipart/form-data; boundary='));
  const parsed = await multipart.formData();
  assert.equal(parsed.get('name'), 'value');
  const file = parsed.get('file') as File;
  assert.equal(file.name, 'a.txt');
  assert.equal(file.type, 'text/plain');
  assert.equal(await file.text(), 'content');
});

test('Request: URL must be absolute, methods normalised, GET cannot have a body, streams need duplex', async () => {
  const r = new Request('https://example.com/a?b', { method: 'post', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
  assert.equal(r.method, 'POST');
  assert.equal(r.url, 'https://example.com/a?b');
  assert.deepEqual(await r.json(), { x: 1 });
  assert.equal(new Request('https://e.com', { method: 'patch' }).method, 'patch', 'only the six standard methods are upper-cased');
  assert.throws(() => new Request('/relative'), (e) => e instanceof TypeError);
  assert.throws(() => new Request('https://user:pw@e.com'), (e) => e instanceof TypeError);
  assert.throws(() => new Request('https://e.com', { method: 'CONNECT' }), (e) => e instanceof TypeError);
  assert.throws(() => new Request('https://e.com', { method: 'bad method' }), (e) => e instanceof TypeError);
  assert.throws(() => new Request('https://e.com', { body: 'x' }), (e) => e instanceof TypeError, 'GET with body');
  assert.throws(() => new Request('https://e.com', { method: 'POST', body: new ReadableStream() }), (e) => e instanceof TypeError, 'no duplex');
  new Request('https://e.com', { method: 'POST', body: new ReadableStream(), duplex: 'half' } as RequestInit);
});

test('Request: copying a request moves its body; clone tees it; signals follow', async () => {
  const ac = new AbortController();
  const a = new Request('https://e.com/', { method: 'PUT', body: 'data', signal: ac.signal });
  const cloned = a.clone();
  const b = new Request(a);
  assert.equal(a.bodyUsed, true);
  assert.equal(await b.text(), 'data');
  assert.equal(await cloned.text(), 'data');
  assert.equal(b.signal.aborted, false);
  ac.abort('stop');
  assert.equal(a.signal.aborted, true);
  assert.equal(b.signal.reason, 'stop');
  assert.throws(() => new Request(a), (e) => e instanceof TypeError, 'a used request cannot be copied');
});

test('Blob and File: parts, slice, type normalisation, readers and streams', async () => {
  const blob = new Blob(['ab', new Uint8Array([99]), new Blob(['d'])], { type: 'Text/Plain' });
  assert.equal(blob.size, 4);
  assert.equal(blob.type, 'text/plain');
  assert.equal(await blob.text(), 'abcd');
  assert.equal(await blob.slice(1, -1).text(), 'bc');
  assert.equal(await blob.slice(-2).text(), 'cd');
  assert.equal(new Blob([], { type: 'bad\u0001' }).type, '');
  const chunks: number[] = [];
  for await (const c of blob.stream() as any) chunks.push(...c);
  assert.deepEqual(chunks, [97, 98, 99, 100]);
  const f = new File(['x'], 'x.txt', { lastModified: 5 });
  assert.equal(f.name, 'x.txt');
  assert.equal(f.lastModified, 5);
  assert.ok(f instanceof Blob);
  assert.throws(() => new (File as any)(['x']), (e) => e instanceof TypeError);
});

test('FormData: append, set, delete, getAll, Blob values become Files', () => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('a', '2');
  fd.append('f', new Blob(['z']));
  assert.deepEqual(fd.getAll('a'), ['1', '2']);
  assert.equal((fd.get('f') as File).name, 'blob');
  fd.set('a', '3');
  assert.deepEqual([...fd.keys()], ['a', 'f']);
  fd.delete('f');
  assert.equal(fd.has('f'), false);
  assert.throws(() => fd.append('x', 'y', 'name.txt' as any), (e) => e instanceof TypeError);
});

export default run;
