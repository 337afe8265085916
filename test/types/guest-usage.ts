// A guest module written against `islet/guest`, type-checked (never run) by test/types.test.ts
// through test/types/tsconfig.json: no DOM lib, no Node types, only types/guest.d.ts.
// Each `@ts-expect-error` line must fail to type-check; if one starts to pass, tsc reports it.
import type {} from 'islet/guest';

// The embedding application's services and env, made known by augmenting islet's interfaces.
declare global {
  interface IsletHostServices {
    kv: {
      get(key: string): Promise<string | null>;
      set(key: string, value: string): Promise<void>;
    };
    files: {
      open(path: string): Promise<HostHandle>;
      read(file: HostHandle): Promise<Uint8Array>;
    };
  }
  interface IsletEnv {
    readonly API_BASE: string;
    readonly CACHE: KVNamespace;
  }
}

interface Item { id: string; name: string }

// host services, messaging and handles
const cached: string | null = await host.kv.get('greeting');
await host.kv.set('greeting', cached ?? 'hello');
const file = await host.files.open('data.txt');
const fileKind: string = file.kind;
const fileBytes: Uint8Array = await host.files.read(file);
const onPing = (data: unknown): void => { host.emit('pong', { data, at: performance.now() }); };
host.on('ping', onPing);
host.off('ping', onPing);
host.emit('ready');

// env: declared keys are typed, others are unknown, nothing is writable
const apiBase: string = env.API_BASE;
const other: unknown = env['OTHER'];

// KV bindings
await env.CACHE.put('user:1', JSON.stringify({ name: 'ann' }), { expirationTtl: 3600, metadata: { v: 1 } });
await env.CACHE.put('bytes', new Uint8Array([1, 2]));
const cachedText: string | null = await env.CACHE.get('user:1');
const cachedUser = await env.CACHE.get<{ name: string }>('user:1', 'json');
const cachedName: string | undefined = cachedUser?.name;
const cachedBytes: ArrayBuffer | null = await env.CACHE.get('bytes', { type: 'arrayBuffer', cacheTtl: 60 });
const cachedStream: ReadableStream<Uint8Array> | null = await env.CACHE.get('bytes', 'stream');
const withMeta = await env.CACHE.getWithMetadata<{ v: number }>('user:1');
const metaVersion: number | undefined = withMeta.metadata?.v;
const page = await env.CACHE.list({ prefix: 'user:', limit: 10 });
const nextCursor: string | null = page.list_complete ? null : page.cursor;
for (const k of page.keys) console.log(k.name, k.expiration, k.metadata);
await env.CACHE.delete('user:1');
console.log(cachedText, cachedName, cachedBytes, cachedStream, metaVersion, nextCursor);

// console and timers
console.log('started', { fileKind, bytes: fileBytes.byteLength, other });
console.table([{ a: 1 }]);
console.group('timers');
const timeout: number = setTimeout((label: string, n: number) => { console.info(label, n); }, 10, 'tick', 1);
clearTimeout(timeout);
let ticks = 0;
const interval = setInterval(() => { if (++ticks === 3) clearInterval(interval); }, 5);
console.groupEnd();
queueMicrotask(() => { console.debug('microtask'); });
await new Promise<void>((resolve) => setTimeout(resolve, 1));

// URL, URLSearchParams, base64, encoding
const url = new URL('/items?limit=10', apiBase);
url.searchParams.append('q', 'islet');
const params = new URLSearchParams({ a: '1', b: '2' });
for (const [key, value] of params) console.log(key, value);
const parsed: URL | null = URL.parse('not a url');
const encoded: string = btoa('hello');
const decoded: string = atob(encoded);
const utf8 = new TextEncoder().encode(decoded);
const text: string = new TextDecoder('utf-8', { fatal: true }).decode(utf8);

// fetch, Request, Response, Headers, FormData, Blob, File
const controller = new AbortController();
const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(5_000)]);
const headers = new Headers({ accept: 'application/json' });
headers.set('x-request-id', crypto.randomUUID());
const response: Response = await fetch(url, { headers, signal, redirect: 'manual' });
if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
const items = (await response.json()) as Item[];
const upload = new Request('https://api.example.com/upload', {
  method: 'POST',
  body: new ReadableStream<Uint8Array>({ start(c) { c.enqueue(utf8); c.close(); } }),
  duplex: 'half',
});
const form = new FormData();
form.append('name', 'islet');
form.append('file', new File(['hello'], 'hello.txt', { type: 'text/plain' }));
const blob = new Blob([utf8, 'tail'], { type: 'application/octet-stream' });
const blobText: string = await blob.slice(0, 5).text();
const echoed = Response.json({ items, upload: upload.url, blobText, entries: [...form.keys()] }, { status: 201 });
const setCookies: string[] = echoed.headers.getSetCookie();

// crypto
const random = crypto.getRandomValues(new Uint8Array(16));
const digest: ArrayBuffer = await crypto.subtle.digest('SHA-256', utf8);
const key: CryptoKey = await crypto.subtle.importKey('raw', random, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const signature = await crypto.subtle.sign('HMAC', key, utf8);
const verified: boolean = await crypto.subtle.verify('HMAC', key, signature, utf8);
const pair: CryptoKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const jwk: JsonWebKey = await crypto.subtle.exportKey('jwk', pair.publicKey);

// streams
const upper = new TransformStream<string, string>({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
const chunks: string[] = [];
for await (const chunk of ReadableStream.from(['a', 'b', 'c']).pipeThrough(upper)) chunks.push(chunk);
const sink = new WritableStream<string>({ write(chunk) { chunks.push(chunk); } }, new CountQueuingStrategy({ highWaterMark: 4 }));
const writer = sink.getWriter();
await writer.write('d');
await writer.close();
if (echoed.body !== null) {
  const reader = echoed.body.pipeThrough(new TextDecoderStream()).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
}

// events, DOMException, structuredClone, self, using
const target = new EventTarget();
target.addEventListener('item', (event) => { console.log(event.type); }, { once: true, signal });
target.dispatchEvent(new CustomEvent<Item>('item', { detail: { id: '1', name: 'one' } }));
const abortError = new DOMException('stopped', 'AbortError');
controller.abort(abortError);
const buffer = new ArrayBuffer(8);
const copy = structuredClone({ buffer, when: new Date() }, { transfer: [buffer] });
const global: typeof globalThis = self;
{
  using stack = new DisposableStack();
  stack.defer(() => { console.log('disposed'); });
}

export default async function main(...args: string[]): Promise<{ args: string[]; chunks: string[]; verified: boolean; size: number }> {
  return { args, chunks, verified, size: digest.byteLength + copy.buffer.byteLength + jwk.kty!.length + text.length + setCookies.length + (parsed === null ? 0 : 1) + (global === self ? 0 : 1) };
}

// What guests do not have must not type-check.
// @ts-expect-error: there is no DOM
document.title;
// @ts-expect-error: there is no window
window.location;
// @ts-expect-error: there is no Node process
process.env;
// @ts-expect-error: there is no require
require('node:fs');
// @ts-expect-error: there is no Buffer
Buffer.from('x');
// @ts-expect-error: a service the application did not declare
await host.kv.delete('greeting');
// @ts-expect-error: a service namespace the application did not declare
await host.db.query('select 1');
// @ts-expect-error: env is read-only
env.API_BASE = 'https://elsewhere.example';
// @ts-expect-error: handles come only from services (there is no HostHandle global)
new HostHandle();
// @ts-expect-error: a HostHandle cannot be forged from a plain object
const forged: HostHandle = { kind: 'file' };
// @ts-expect-error: timers refuse code strings
setTimeout('console.log(1)', 10);
// @ts-expect-error: no object URLs
URL.createObjectURL(blob);
// @ts-expect-error: performance has no marks
performance.mark('start');
// @ts-expect-error: KV values are strings, buffers or streams
await env.CACHE.put('n', 42);
// @ts-expect-error: not a KV value type
await env.CACHE.get('k', 'blob');
// @ts-expect-error: there is no KVNamespace global
new KVNamespace();
void forged;
