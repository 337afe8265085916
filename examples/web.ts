// islet run examples/web.ts: the Web APIs a guest gets, inside the isolate.
const url = new URL('/search?q=isolates&lang=en', 'https://example.com');
const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url.href));
const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');

const upper = new TransformStream<string, string>({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
const shouted = await new Response(ReadableStream.from(['streams ', 'work']).pipeThrough(upper).pipeThrough(new TextEncoderStream())).text();

let fetched: string;
try { await fetch('https://example.com/'); fetched = 'allowed'; } catch (e) { fetched = `${(e as Error).name}: ${(e as { code?: string }).code}`; }

export default () => ({ query: url.searchParams.get('q'), sha256: hex.slice(0, 16), shouted, fetchWithoutAllowNet: fetched, uuid: crypto.randomUUID().length });
