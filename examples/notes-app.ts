// A small JSON API (routed at localhost/api by examples/islet.config.json): notes kept in the
// app's KV namespace (env.NOTES), so they survive restarts and redeploys. Try:
//   curl -X POST http://127.0.0.1:8080/api/notes -d '{"text":"hi"}'
//   curl http://127.0.0.1:8080/api/notes
interface Env { MAX_NOTES: number; NOTES: KVNamespace }
interface NoteMeta { text: string; at: string }

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/api/notes') return Response.json({ error: 'try /api/notes' }, { status: 404 });
    if (request.method === 'GET') {
      // Keys sort by time ("note:<ms>-<random>"); the text rides in the metadata, so one list() is enough.
      const { keys } = await env.NOTES.list<NoteMeta>({ prefix: 'note:', limit: env.MAX_NOTES });
      return Response.json({ notes: keys.map((k) => ({ id: k.name.slice(5), text: k.metadata?.text, at: k.metadata?.at })) });
    }
    if (request.method !== 'POST') return Response.json({ error: 'GET or POST' }, { status: 405, headers: { allow: 'GET, POST' } });
    let body: unknown;
    try { body = await request.json(); } catch { return Response.json({ error: 'send JSON like {"text":"..."}' }, { status: 400 }); }
    const text = (body as { text?: unknown }).text;
    if (typeof text !== 'string' || text.length === 0 || text.length > 500) return Response.json({ error: '"text" must be a string of 1-500 characters' }, { status: 400 });
    const id = `${String(Date.now()).padStart(15, '0')}-${crypto.randomUUID().slice(0, 8)}`;
    const note = { text, at: new Date().toISOString() };
    await env.NOTES.put(`note:${id}`, text, { metadata: note });
    return Response.json({ id, ...note }, { status: 201 });
  },
};
