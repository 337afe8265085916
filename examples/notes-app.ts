// A small JSON API (routed at localhost/api by examples/islet.config.json): an in-memory list of
// notes, kept in the app's isolate between requests. Try:
//   curl -X POST http://127.0.0.1:8080/api/notes -d '{"text":"hi"}'
//   curl http://127.0.0.1:8080/api/notes
interface Env { MAX_NOTES: number }
interface Note { id: number; text: string; at: string }

const notes: Note[] = [];
let nextId = 1;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/api/notes') return Response.json({ error: 'try /api/notes' }, { status: 404 });
    if (request.method === 'GET') return Response.json({ notes });
    if (request.method !== 'POST') return Response.json({ error: 'GET or POST' }, { status: 405, headers: { allow: 'GET, POST' } });
    let body: unknown;
    try { body = await request.json(); } catch { return Response.json({ error: 'send JSON like {"text":"..."}' }, { status: 400 }); }
    const text = (body as { text?: unknown }).text;
    if (typeof text !== 'string' || text.length === 0 || text.length > 500) return Response.json({ error: '"text" must be a string of 1-500 characters' }, { status: 400 });
    if (notes.length >= env.MAX_NOTES) notes.shift();
    const note = { id: nextId++, text, at: new Date().toISOString() };
    notes.push(note);
    return Response.json(note, { status: 201 });
  },
};
