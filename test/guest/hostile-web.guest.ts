// Headers, Request, Response, Blob, File, FormData, structuredClone, console, URL, crypto and the
// encoders under a guest that patched built-ins (test/guest/traps.ts): results must be right, and
// no trap reached. While traps are in, this code uses only captured built-ins, index loops, and
// awaits through `wait` (see traps.ts).
import { test, run } from './harness.ts';
import { check, list, saved, seq, u8 } from './traps.ts';

const { apply, Uint8Array: U8 } = saved;
// Globals are trapped too: everything the bodies use is captured here.
const H = Headers;
const Req = Request;
const Res = Response;
const B = Blob;
const F = File;
const FD = FormData;
const RS = ReadableStream;
const Url = URL;
const Params = URLSearchParams;
const clone = structuredClone;
const con = console;
const rng = crypto;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const iterator = Symbol.iterator;

/** The pairs of a Headers or FormData iterator, read with the captured generator next. */
function pairs(it: Iterator<[string, unknown]>): unknown[] {
  const out: unknown[] = [];
  for (;;) {
    const step = apply(saved.generatorNext, it, []) as IteratorResult<[string, unknown]>;
    if (step.done) return out;
    const value = step.value;
    out[out.length] = `${value[0]}=${typeof value[1] === 'string' ? value[1] : 'file'}`;
  }
}

test('Headers, Request and Response: every body reader, streaming bodies, clone', () => check(async (t) => {
  const h = new H({ 'X-B': ' two ', 'x-a': 'one' });
  h.append('Set-Cookie', 'a=1');
  h.append('x-A', 'uno');
  h.set('x-c', '3');
  h.delete('x-c');
  const seen: string[] = [];
  h.forEach((value, name) => { seen[seen.length] = `${name}:${value}`; });
  const headers = { get: h.get('X-A'), has: h.has('x-b'), cookies: h.getSetCookie()[0], forEach: seen, entries: pairs(h.entries()), iterated: pairs(h[iterator]()) };

  const request = new Req('https://example.com/a?b=1', { method: 'post', headers: { 'x-k': 'v' }, body: 'hello' });
  const requestClone = request.clone();
  const moved = new Req(request, { method: 'PUT' });
  const requests = {
    method: moved.method, type: moved.headers.get('content-type'), k: moved.headers.get('x-k'),
    text: await t.wait(moved.text()), clone: await t.wait(requestClone.text()), used: request.bodyUsed,
  };
  const streamed = new Req('https://example.com/', { method: 'POST', body: new RS({ start(c) { c.enqueue(u8([104, 105])); c.close(); } }), duplex: 'half' } as RequestInit);

  const response = new Res('{"a":[1,2]}', { status: 201, statusText: 'Created', headers: { 'x-y': 'z' } });
  const copies = [response.clone(), response.clone(), response.clone(), response.clone(), response.clone()] as Response[];
  const json = await t.wait(copies[0]!.json()) as { a: number[] };
  const blob = await t.wait(copies[1]!.blob());
  const buffer = await t.wait(copies[2]!.arrayBuffer());
  const bytes = await t.wait(copies[3]!.bytes());
  const urlencoded = await t.wait(new Res('a=1&b=x+y', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData());

  const chunks = new Res(new RS({ start(c) { c.enqueue(u8([97, 98])); c.enqueue(u8([99])); c.close(); } }));
  const teed = chunks.clone();
  const body = (response.body as ReadableStream<Uint8Array>).getReader();
  const first = await t.wait(body.read());
  const redirect = Res.redirect('https://example.com/next', 307);
  const responses = {
    status: response.status, ok: response.ok, statusText: response.statusText, type: response.headers.get('content-type'),
    json: json.a[1], blob: [blob.size, blob.type, await t.wait(blob.text())], buffer: list(new U8(buffer)), bytes: list(bytes).length,
    text: await t.wait(copies[4]!.text()), urlencoded: [urlencoded.get('a'), urlencoded.get('b')],
    streamed: await t.wait(streamed.text()), chunks: await t.wait(chunks.text()), teed: await t.wait(teed.text()),
    firstChunk: list(first.value as Uint8Array).length, used: response.bodyUsed,
    built: await t.wait(Res.json({ n: 1 }).text()), redirect: [redirect.status, redirect.headers.get('location')], error: Res.error().type,
  };
  return t.mine({ headers, requests, responses });
}, {
  headers: {
    get: 'one, uno', has: true, cookies: 'a=1', forEach: ['set-cookie:a=1', 'x-a:one, uno', 'x-b:two'],
    entries: ['set-cookie=a=1', 'x-a=one, uno', 'x-b=two'], iterated: ['set-cookie=a=1', 'x-a=one, uno', 'x-b=two'],
  },
  requests: { method: 'PUT', type: 'text/plain;charset=UTF-8', k: 'v', text: 'hello', clone: 'hello', used: true },
  responses: {
    status: 201, ok: true, statusText: 'Created', type: 'text/plain;charset=UTF-8', json: 2,
    blob: [11, 'text/plain;charset=utf-8', '{"a":[1,2]}'], buffer: [123, 34, 97, 34, 58, 91, 49, 44, 50, 93, 125], bytes: 11,
    text: '{"a":[1,2]}', urlencoded: ['1', 'x y'], streamed: 'hi', chunks: 'abc', teed: 'abc', firstChunk: 11, used: true,
    built: '{"n":1}', redirect: [307, 'https://example.com/next'], error: 'error',
  },
}));

test('Blob, File and FormData: parts, slice, readers, stream, multipart round trip', () => check(async (t) => {
  const blob = new B(seq<BlobPart>(['ab', u8([99, 100]), new B(seq<BlobPart>(['e']))]), { type: 'Text/Plain' });
  const sliced = blob.slice(1, -1, 'text/x');
  const reader = blob.stream().getReader();
  const streamed: number[] = [];
  for (;;) {
    const r = await t.wait(reader.read());
    if (r.done) break;
    const l = list(r.value as Uint8Array);
    for (let i = 0; i < l.length; i++) streamed[streamed.length] = l[i] as number;
  }
  const file = new F(seq<BlobPart>(['x', 'y']), 'a.txt', { type: 'text/plain', lastModified: 5 });
  const blobs = {
    size: blob.size, type: blob.type, text: await t.wait(blob.text()), buffer: list(new U8(await t.wait(blob.arrayBuffer()))),
    bytes: list(await t.wait(blob.bytes())), slice: [await t.wait(sliced.text()), sliced.type], streamed,
    file: [file.name, file.size, file.type, file.lastModified, await t.wait(file.text())],
  };

  const form = new FD();
  form.append('a', '1');
  form.append('a', '2');
  form.append('f', new B(seq<BlobPart>(['content']), { type: 'text/plain' }), 'c.txt');
  form.set('b', 'x\ny');
  form.delete('missing');
  const all = form.getAll('a');
  const parsed = await t.wait(new Res(form).formData());
  const parsedFile = parsed.get('f') as File;
  const forms = {
    all: [all[0], all[1]], has: form.has('f'), entries: pairs(form.entries() as Iterator<[string, unknown]>),
    parsed: pairs(parsed.entries() as Iterator<[string, unknown]>), b: parsed.get('b'),
    file: [parsedFile.name, parsedFile.type, await t.wait(parsedFile.text())],
  };
  return t.mine({ blobs, forms });
}, {
  blobs: {
    size: 5, type: 'text/plain', text: 'abcde', buffer: [97, 98, 99, 100, 101], bytes: [97, 98, 99, 100, 101],
    slice: ['bcd', 'text/x'], streamed: [97, 98, 99, 100, 101], file: ['a.txt', 2, 'text/plain', 5, 'xy'],
  },
  forms: {
    all: ['1', '2'], has: true, entries: ['a=1', 'a=2', 'f=file', 'b=x\ny'], parsed: ['a=1', 'a=2', 'f=file', 'b=x\r\ny'], b: 'x\r\ny',
    file: ['c.txt', 'text/plain', 'content'],
  },
}));

// stdout: hostile: x is 42 (1.5) {"j":1}
// stdout: { a: 1, b: [ 'two', 3 ], m: Map(1) { 1 => 'one' } } Uint8Array(2) [ 1, 2 ]
test('structuredClone, console formatting, URL, URLSearchParams, crypto, TextEncoder and TextDecoder', () => {
  const graph: Record<string, unknown> = { n: 1, list: [1, { x: 2 }], map: new Map([[1, 'one']]), date: new Date(5), bytes: new Uint8Array([1, 2]) };
  graph['self'] = graph;
  const transferred = new Uint8Array([7, 8]).buffer;
  const logged = { a: 1, b: ['two', 3], m: new Map([[1, 'one']]) };
  const loggedBytes = new Uint8Array([1, 2]);
  const random = new U8(16);
  return check(async (t) => {
    const copy = clone(graph) as Record<string, unknown>;
    const moved = clone(transferred, { transfer: seq([transferred]) }) as ArrayBuffer;
    con.log('hostile: %s is %d (%f) %j', 'x', 42, 1.5, { j: 1 });
    con.log(logged, loggedBytes);
    const url = new Url('https://user@example.com:8080/a/../b?x=1&y=2#h');
    url.searchParams.append('z', '3');
    const params = new Params('b=2&a=1&a=0');
    params.sort();
    const filled = rng.getRandomValues(random);
    const uuid = rng.randomUUID();
    return t.mine({
      copy: [copy['self'] === copy, copy['n'], (copy['list'] as unknown[])[0], (copy['map'] as Map<number, string>) !== graph['map']],
      moved: list(new U8(moved)),
      url: [url.href, url.host, url.pathname, url.searchParams.get('y'), Url.canParse('nope')],
      params: params.toString(),
      random: filled === random, uuid: [uuid.length, uuid[14], uuid[8]],
      text: decoder.decode(encoder.encode('héllo')), encoded: list(encoder.encode('é')),
    });
  }, {
    copy: [true, 1, 1, true],
    moved: [7, 8],
    url: ['https://user@example.com:8080/b?x=1&y=2&z=3#h', 'example.com:8080', '/b', '2', false],
    params: 'a=1&a=0&b=2',
    random: true, uuid: [36, '4', '-'],
    text: 'héllo', encoded: [0xc3, 0xa9],
  });
});

export default run;
