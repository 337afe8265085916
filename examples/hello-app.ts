// islet serve examples/hello-app.ts  (then: curl http://127.0.0.1:8080/?name=Ada)
// The same file runs on Cloudflare Workers and workerd: export default { fetch }.
interface Env { GREETING?: string }

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/slow') {
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? '500')));
      return new Response('slow done\n');
    }
    if (url.pathname === '/json') return Response.json({ hello: url.searchParams.get('name') ?? 'world', at: Date.now() });
    ctx.waitUntil(Promise.resolve());
    return new Response(`${env.GREETING ?? 'hello'}, ${url.searchParams.get('name') ?? 'world'}!\n`, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};
