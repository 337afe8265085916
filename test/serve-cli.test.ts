import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/islet.js', import.meta.url));
const APP = fileURLToPath(new URL('../examples/hello-app.ts', import.meta.url));

function start(args: string[]): Promise<{ port: number; child: ReturnType<typeof spawn>; logs: string[] }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const record = JSON.parse(line) as { type?: string; event?: string; port?: number };
        if (record.type === 'server' && record.event === 'listening') resolve({ port: record.port ?? 0, child, logs });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited early with ${String(code)}`)));
  });
}

function get(port: number, path: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

test('islet serve app.ts serves it; SIGTERM with 100 slow requests in flight: all finish with 200, then exit 0', async () => {
  const { port, child, logs } = await start([APP]);
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  assert.equal((await get(port, '/?name=Ada', agent)).body, 'hello, Ada!\n');
  const inflight = Array.from({ length: 100 }, () => get(port, '/slow?ms=600', agent));
  await new Promise((r) => setTimeout(r, 200));
  // 'close': the process exited and its output was read to the end.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  const results = await Promise.all(inflight);
  assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
  assert.equal(results.filter((r) => r.body === 'slow done\n').length, 100);
  assert.equal(await exited, 0);
  // The logs were flushed before the exit: every request has its line (written by the shards).
  const lines = logs.map((l) => JSON.parse(l) as { type?: string; path?: string; status?: number });
  assert.equal(lines.filter((r) => r.type === 'request' && r.path === '/slow' && r.status === 200).length, 100);
  agent.destroy();
});

test('an idle kept-alive connection does not hold up shutdown: the shards close it at once, while a slow request still finishes', async () => {
  const { port, child } = await start([APP]);
  // An idle kept-alive connection: one request answered, then nothing.
  const idle = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => {
    idle.on('data', (c: Buffer) => { if (c.toString().includes('hello, Ada!')) resolve(); });
    idle.write('GET /?name=Ada HTTP/1.1\r\nHost: localhost\r\n\r\n');
  });
  const events: string[] = [];
  idle.on('close', () => events.push('idle closed'));
  const agent = new Agent({ keepAlive: true });
  const slow = get(port, '/slow?ms=1500', agent).then((r) => { events.push('slow answered'); return r; });
  await new Promise((r) => setTimeout(r, 200));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.deepEqual(await slow, { status: 200, body: 'slow done\n' });
  assert.equal(await exited, 0);
  // Closed by the drain, before the slow response: not left to the shard's 5 s keep-alive
  // timeout (which came after it, before the fix).
  assert.deepEqual(events, ['idle closed', 'slow answered']);
  agent.destroy();
});

test('islet serve --config reports every problem with its JSON path and exits 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'islet-serve-'));
  const file = join(dir, 'islet.config.json');
  await writeFile(file, JSON.stringify({ listen: { port: 'eighty' }, apps: [{ name: 'x', entry: 'nope.ts', routes: ['bad route'] }] }));
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'serve', '--config', file], (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stderr }));
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\$\.listen\.port/);
  assert.match(r.stderr, /\$\.apps\[0\]\.entry/);
  assert.match(r.stderr, /\$\.apps\[0\]\.routes\[0\]/);
});

test('a bad --shards value is refused with a usage error before anything starts', async () => {
  for (const value of ['two', '-1', '65', '1.5']) {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'serve', APP, `--shards=${value}`], (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stderr }));
    });
    assert.equal(r.code, 2, value);
    assert.match(r.stderr, new RegExp(`--shards expects 0-64, got "${value.replace('.', '\\.')}"`));
  }
});

test('the example configuration the README starts serves both apps through shards', async () => {
  const config = fileURLToPath(new URL('../examples/islet.config.json', import.meta.url));
  const dataDir = await mkdtemp(join(tmpdir(), 'islet-example-'));
  const { port, child } = await start(['--config', config, '--admin-port', '0', '--data-dir', dataDir]);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    assert.equal((await get(port, '/?name=Ada', agent)).body, 'hello, Ada!\n');
    const posted = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/api/notes', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject).end('{"text":"from the test"}');
    });
    assert.equal(posted.status, 201);
    const listed = JSON.parse((await get(port, '/api/notes', agent)).body) as { notes: { text: string }[] };
    assert.deepEqual(listed.notes.map((n) => n.text), ['from the test']);
    assert.equal((await get(port, '/api/other', agent)).status, 404);
  } finally {
    agent.destroy();
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

test('--admin-port starts the admin API; a generated token is printed once, then read back from the data directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'islet-serve-admin-'));
  const file = join(dir, 'islet.config.json');
  await writeFile(file, JSON.stringify({ apps: [{ name: 'hello', entry: APP, routes: ['localhost'] }] }));
  const env = { ...process.env };
  delete env['ISLET_ADMIN_TOKEN'];
  const run = async (): Promise<string> => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', file, '--port', '0', '--admin-port', '0', '--shards=0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); if (stderr.includes('admin API on')) resolve(); });
      child.on('exit', (code) => reject(new Error(`exited with ${String(code)}: ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return stderr;
  };
  const first = await run();
  const tokenFile = join(dir, '.islet', 'admin-token');
  assert.match(first, new RegExp(`generated an admin token; it is in ${tokenFile.replace(/[.]/g, '\\.')}`));
  const token = (await readFile(tokenFile, 'utf8')).trim();
  assert.ok(!first.includes(token), 'the token itself is not printed');
  const second = await run();
  assert.match(second, /admin API on http:\/\/127\.0\.0\.1:\d+/);
  assert.doesNotMatch(second, /generated an admin token/, 'printed once');
});

test('Ctrl-C in a terminal (SIGINT to the whole process group) drains in-flight requests and exits 0', async () => {
  // Started the way a shell starts it: bin/islet.js re-executes itself with V8 flags, so there are
  // two processes; a terminal's SIGINT reaches the group, and the server must see it once.
  const child = spawn(process.execPath, [BIN, 'serve', APP, '--port', '0', '--shards=0'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      for (const line of c.toString().split('\n')) {
        if (line.includes('"event":"listening"')) resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${String(code)}`)));
  });
  const agent = new Agent({ keepAlive: false });
  const slow = get(port, '/slow?ms=800', agent);
  await new Promise((r) => setTimeout(r, 200));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  process.kill(-(child.pid as number), 'SIGINT');
  const r = await slow;
  assert.deepEqual([r.status, r.body], [200, 'slow done\n'], 'the in-flight request finished');
  assert.equal(await exited, 0);
  assert.match(stderr, /SIGINT, draining/);
  assert.doesNotMatch(stderr, /again, exiting now/, 'one Ctrl-C is one signal');
  agent.destroy();
});
