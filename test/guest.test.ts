// Runs every test/guest/*.guest.ts file inside a real sandbox: guest Web APIs are tested where
// they run, never in Node's global scope (Node has its own URL, Event, TextDecoder...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { Sandbox } from '../src/index.ts';

const dir = new URL('./guest/', import.meta.url);
const harness = await readFile(new URL('harness.ts', dir), 'utf8');
const traps = await readFile(new URL('traps.ts', dir), 'utf8');
const files = (await readdir(dir)).filter((f) => f.endsWith('.guest.ts')).sort();

interface Result { name: string; ok: boolean; error?: string }

for (const file of files) {
  test(`guest: ${file}`, async (t) => {
    const source = await readFile(new URL(file, dir), 'utf8');
    const modules: Record<string, string> = { 'harness.ts': harness, 'traps.ts': traps };
    const fixture = /\/\/ fixture: (\S+)/.exec(source)?.[1];
    if (fixture !== undefined) modules['fixture.js'] = `export default ${await readFile(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8')};`;
    await using sandbox = new Sandbox({ limits: { cpuMs: 30_000, wallMs: 60_000, memoryMb: 256 } });
    let results: Result[];
    let stdout: string;
    try {
      const receipt = await sandbox.run(source, { filename: file, modules });
      results = receipt.value as Result[];
      stdout = receipt.stdout;
    } catch (error) {
      const e = error as { message: string; receipt?: { stderr: string } };
      assert.fail(`${file} failed to run: ${e.message}\n${e.receipt?.stderr ?? ''}`);
    }
    assert.ok(Array.isArray(results) && results.length > 0, `${file} registered no tests`);
    for (const r of results) {
      await t.test(r.name, () => { if (!r.ok) assert.fail(r.error ?? 'failed'); });
    }
    // A file may list the lines it prints as `// stdout: <line>` comments.
    const expected = [...source.matchAll(/^\/\/ stdout: (.*)$/gm)].map((m) => m[1]);
    if (expected.length > 0) assert.deepEqual(stdout.split('\n').slice(0, -1), expected, `${file}: stdout`);
  });
}
