import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { project as makeProject } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/islet.js', import.meta.url));

function islet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const project = (files: Record<string, string>): Promise<string> => makeProject(files, 'islet-cli-');

test('islet run replays output and prints the value; args after -- reach main', async () => {
  const dir = await project({ 'main.ts': 'import { twice } from "./lib/m.ts";\nconsole.log("out"); console.error("err");\nexport default (a: string, b: string) => ({ sum: twice(Number(a) + Number(b)) });', 'lib/m.ts': 'export const twice = (n: number) => n * 2;' });
  const r = await islet(['run', join(dir, 'main.ts'), '--', '2', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'out\n{ sum: 10 }\n');
  assert.equal(r.stderr, 'err\n');
});

test('islet run --json prints the receipt', async () => {
  const dir = await project({ 'a.js': 'console.log("x"); export default () => [1, "two"]' });
  const r = await islet(['run', join(dir, 'a.js'), '--json']);
  assert.equal(r.code, 0);
  const receipt = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(receipt).sort(), ['ok', 'stderr', 'stderrTruncated', 'stdout', 'stdoutTruncated', 'usage', 'value']);
  assert.deepEqual(receipt['value'], [1, 'two']);
  assert.equal(receipt['stdout'], 'x\n');
  assert.deepEqual(Object.keys(receipt['usage'] as object).sort(), ['cpuMs', 'heapPeakBytes', 'hostCalls', 'wallMs']);
});

test('exit codes: 1 guest exception and syntax error, 3 limits, 2 bad usage', async () => {
  const dir = await project({ 'throw.ts': 'throw new TypeError("nope")', 'syntax.js': 'let = ;', 'spin.js': 'for (;;) await null;', 'hang.js': 'await new Promise(() => {})', 'mem.js': 'const a = []; for (;;) a.push("x".repeat(100) + Math.random())' });
  const thrown = await islet(['run', join(dir, 'throw.ts'), '--json']);
  assert.equal(thrown.code, 1);
  const error = (JSON.parse(thrown.stdout) as { error: { code: string; name: string; message: string; stack: string } }).error;
  assert.equal(error.code, 'GUEST_EXCEPTION');
  assert.equal(error.name, 'TypeError');
  assert.match(error.stack, /throw\.ts:1:7/);
  assert.doesNotMatch(error.stack, /\/tmp\//);
  assert.equal((await islet(['run', join(dir, 'syntax.js')])).code, 1);
  const spin = await islet(['run', join(dir, 'spin.js'), '--cpu-ms', '100']);
  assert.equal(spin.code, 3);
  assert.match(spin.stderr, /CPU_LIMIT/);
  assert.equal((await islet(['run', join(dir, 'hang.js'), '--wall-ms', '200'])).code, 3);
  assert.equal((await islet(['run', join(dir, 'mem.js'), '--memory-mb', '16', '--cpu-ms', '20000', '--wall-ms', '30000'])).code, 3);
  for (const args of [['run'], ['run', join(dir, 'nope.js')], ['run', join(dir, 'spin.js'), '--cpu-ms', 'abc'], ['run', join(dir, 'spin.js'), '--cpu-ms=-4'], ['run', join(dir, 'spin.js'), '--bogus'], ['frobnicate']]) {
    const r = await islet(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
});

test('islet --help and islet run --help document the flags and exit codes', async () => {
  const top = await islet(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /islet run <file>/);
  const run = await islet(['run', '--help']);
  for (const flag of ['--memory-mb', '--cpu-ms', '--wall-ms', '--stdout-bytes', '--stderr-bytes', '--json', 'Exit codes']) assert.ok(run.stdout.includes(flag), flag);
});

test('imports may not leave the file\'s directory', async () => {
  const dir = await project({ 'app/main.js': 'import x from "../secret.js"; export default () => x', 'secret.js': 'export default "s3cret"' });
  const r = await islet(['run', join(dir, 'app/main.js'), '--json']);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout, /s3cret/);
  assert.match(r.stdout, /MODULE_NOT_FOUND/);
});
