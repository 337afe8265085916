import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsletError, Sandbox } from '../src/index.ts';
import { buildApp, loadPlan, verifyPlan, PlanError } from '../src/build/plan.ts';
import { mapGuestStack } from '../src/build/source-map.ts';
import { failure, project as makeProject } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/islet.js', import.meta.url));

function islet(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const project = (files: Record<string, string>): Promise<string> => makeProject(files, 'islet-build-');

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

// An app whose TypeScript needs amaro's transform mode (enum, namespace, parameter property), so
// generated lines differ from the source's; the throw is on line 11 of lib/checks.ts.
const CHECKS_TS = `export enum Level {
  Low = 1,
  High = 2,
}
export namespace Checks {
  export const limit = Level.Low;
}
export class Gate {
  constructor(private readonly level: Level) {}
  open(): string {
    if (this.level > Checks.limit) throw new RangeError('level too high: ' + Level[this.level]);
    return 'open';
  }
}
`;
const APP_TS = `import { Gate, Level } from './lib/checks.ts';
export default {
  fetch(request: Request): Response {
    return new Response(new Gate(Level.Low).open());
  },
};
`;
const PROGRAM_TS = `import { Gate, Level } from './lib/checks.ts';
export default function main(): string {
  return new Gate(Level.High).open();
}
`;

test('islet build writes app.js, app.js.map and a plan whose hashes match the files', async () => {
  const dir = await project({ 'hello.ts': APP_TS, 'lib/checks.ts': CHECKS_TS });
  const r = await islet(['build', join(dir, 'hello.ts'), '--routes', 'hello.example.com,example.com/hello', '--compatibility-date', '2026-11-21']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /built "hello"/);
  const out = join(dir, 'dist');
  const plan = JSON.parse(await readFile(join(out, 'app.plan.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(plan), ['schema', 'name', 'entry', 'compatibilityDate', 'artifacts', 'routes', 'limits', 'capabilities']);
  assert.equal(plan['schema'], 1);
  assert.equal(plan['name'], 'hello');
  assert.equal(plan['entry'], 'app.js');
  assert.equal(plan['compatibilityDate'], '2026-11-21');
  assert.deepEqual(plan['routes'], ['hello.example.com', 'example.com/hello']);
  assert.deepEqual(plan['capabilities'], { bindings: {}, env: [], secrets: [] });
  const artifacts = plan['artifacts'] as Record<string, { sha256: string; bytes: number }>;
  assert.deepEqual(Object.keys(artifacts).sort(), ['app.js', 'app.js.map']);
  for (const [name, a] of Object.entries(artifacts)) {
    const bytes = await readFile(join(out, name));
    assert.equal(a.bytes, bytes.byteLength, name);
    assert.equal(a.sha256, sha256(bytes), name);
  }
  const code = await readFile(join(out, 'app.js'), 'utf8');
  assert.match(code, /export \{/);
  assert.doesNotMatch(code, /import /, 'relative imports are bundled in');
  assert.match(code, /sourceMappingURL=app\.js\.map/);
  const map = JSON.parse(await readFile(join(out, 'app.js.map'), 'utf8')) as { sources: string[]; sourcesContent: string[] };
  assert.deepEqual([...map.sources].sort(), ['hello.ts', 'lib/checks.ts'], 'sources are named from the app folder, never by host path');
  assert.equal(map.sourcesContent[map.sources.indexOf('lib/checks.ts')], CHECKS_TS);

  const loaded = await loadPlan(join(out, 'app.plan.json'));
  assert.equal(loaded.plan.name, 'hello');
  assert.equal(loaded.modules['app.js'], code);
});

test('--config and --app take routes, limits and capabilities from the config, and never secret values', async () => {
  const dir = await project({
    'src/app.ts': 'export default { fetch: (_r: Request, env: { GREETING: string }) => new Response(env.GREETING) };',
    'islet.config.json': JSON.stringify({
      apps: [{
        name: 'greeter', entry: 'src/app.ts', routes: ['greet.example.com'],
        env: { GREETING: 'hello-not-secret' }, secrets: { API_KEY: { fromEnv: 'GREETER_KEY' } },
        limits: { cpuMs: 20, memoryMb: 64 }, fetch: { allow: ['api.example.com'] }, bindings: { CACHE: { kv: 'cache' } },
      }],
    }),
  });
  const r = await islet(['build', '--config', join(dir, 'islet.config.json'), '--app', 'greeter', '--out', join(dir, 'out')], { GREETER_KEY: 'sk-live-very-secret' });
  assert.equal(r.code, 0, r.stderr);
  const text = await readFile(join(dir, 'out', 'app.plan.json'), 'utf8');
  const plan = JSON.parse(text) as Record<string, unknown>;
  assert.equal(plan['name'], 'greeter');
  assert.deepEqual(plan['routes'], ['greet.example.com']);
  assert.deepEqual(plan['limits'], { cpuMs: 20, memoryMb: 64 });
  assert.deepEqual(plan['capabilities'], { bindings: { CACHE: { kv: 'cache' } }, env: ['GREETING'], secrets: ['API_KEY'], fetch: { allow: ['api.example.com'] } });
  assert.doesNotMatch(text, /sk-live|GREETER_KEY|hello-not-secret/);
  const missing = await islet(['build', '--config', join(dir, 'islet.config.json'), '--app', 'nope']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no app named "nope".*greeter/);
});

test('a tampered, missing or extra artifact, or a malformed plan, is PLAN_INVALID naming what is wrong', async () => {
  const dir = await project({ 'app.ts': APP_TS, 'lib/checks.ts': CHECKS_TS });
  const { plan, planPath, code, map } = await buildApp(join(dir, 'app.ts'), { routes: ['example.com'] });
  assert.deepEqual(verifyPlan(plan, { 'app.js': code, 'app.js.map': Buffer.from(map) }), plan);

  const tampered = code.replace('"open"', '"shut"');
  assert.ok(tampered !== code && tampered.length === code.length);
  const cases: [unknown, Record<string, string>, RegExp][] = [
    [plan, { 'app.js': tampered, 'app.js.map': map }, /\$\.artifacts\["app\.js"\]\.sha256: the artifact "app\.js" does not match its sha256/],
    [plan, { 'app.js': `${code}\n`, 'app.js.map': map }, /\$\.artifacts\["app\.js"\]\.bytes/],
    [plan, { 'app.js': code }, /\$\.artifacts\["app\.js\.map"\]: the artifact "app\.js\.map" is missing/],
    [plan, { 'app.js': code, 'app.js.map': map, 'extra.js': '1' }, /"extra\.js" is not an artifact of the plan/],
    [{ ...plan, schema: 2 }, { 'app.js': code, 'app.js.map': map }, /\$\.schema: expected 1/],
    [{ ...plan, surprise: true }, { 'app.js': code, 'app.js.map': map }, /\$\.surprise: unknown field/],
    [{ ...plan, entry: 'main.js' }, { 'app.js': code, 'app.js.map': map }, /\$\.entry: "main\.js" is not one of the artifacts/],
    [{ ...plan, compatibilityDate: '2026-02-30' }, { 'app.js': code, 'app.js.map': map }, /\$\.compatibilityDate/],
    [{ ...plan, artifacts: { ...plan.artifacts, '../etc/passwd': { sha256: 'a'.repeat(64), bytes: 1 } } }, { 'app.js': code, 'app.js.map': map }, /inside the plan's folder/],
    [{ ...plan, capabilities: { ...plan.capabilities, secrets: [{ value: 'x' }] } }, { 'app.js': code, 'app.js.map': map }, /\$\.capabilities\.secrets\[0\]/],
    ['not a plan', {}, /expected a JSON object/],
  ];
  for (const [candidate, artifacts, message] of cases) {
    assert.throws(() => verifyPlan(candidate, artifacts), (error: unknown) => {
      assert.ok(error instanceof PlanError && IsletError.is(error));
      assert.equal(error.code, 'PLAN_INVALID');
      assert.match(error.message, message);
      assert.match(error.message, /rebuild it with "islet build"/);
      assert.ok(error.problems.length > 0);
      return true;
    });
  }

  // On disk: a changed artifact stops loadPlan and islet run (exit 2) before any isolate exists.
  await writeFile(join(dir, 'dist', 'app.js'), tampered);
  await assert.rejects(loadPlan(planPath), /PLAN_INVALID|does not match its sha256/);
  const run = await islet(['run', planPath]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /PLAN_INVALID.*\n.*app\.js.*does not match its sha256/);
});

test('loadPlan refuses artifacts that lead outside the plan\'s folder', async () => {
  const dir = await project({ 'secret.txt': 'top secret', 'plan/app.js': 'export default 1;' });
  await symlink(join(dir, 'secret.txt'), join(dir, 'plan', 'link.js'));
  const plan = {
    schema: 1, name: 'x', entry: 'app.js', compatibilityDate: '2026-01-01', routes: [], limits: {},
    capabilities: { bindings: {}, env: [], secrets: [] },
    artifacts: { 'app.js': { sha256: sha256('export default 1;'), bytes: 17 }, 'link.js': { sha256: sha256('top secret'), bytes: 10 } },
  };
  await writeFile(join(dir, 'plan', 'app.plan.json'), JSON.stringify(plan));
  await assert.rejects(loadPlan(join(dir, 'plan', 'app.plan.json')), (error: unknown) => {
    assert.ok(IsletError.is(error) && error.code === 'PLAN_INVALID');
    assert.match(error.message, /"link\.js" leads outside the plan's folder/);
    return true;
  });
  await writeFile(join(dir, 'plan', 'app.plan.json'), '{ nope');
  await assert.rejects(loadPlan(join(dir, 'plan', 'app.plan.json')), /PLAN_INVALID|cannot read/);
});

test('packages, node: built-ins and paths outside the app folder are refused at build time', async () => {
  const dir = await project({
    'app/pkg.ts': 'import _ from "lodash";\nexport default _;',
    'app/builtin.ts': 'import { readFileSync } from "node:fs";\nexport default readFileSync;',
    'app/bare-builtin.ts': 'import fs from "fs";\nexport default fs;',
    'app/outside.ts': 'import s from "../secret.ts";\nexport default s;',
    'app/missing.ts': 'import m from "./nope.ts";\nexport default m;',
    'app/broken.ts': 'export default {\n  fetch( {\n};',
    'secret.ts': 'export default "s3cret";',
    'node_modules/lodash/index.js': 'module.exports = {};',
  });
  const expectations: [string, string, RegExp][] = [
    ['pkg.ts', 'MODULE_NOT_FOUND', /Cannot import "lodash" from "pkg\.ts": packages are not available/],
    ['builtin.ts', 'MODULE_NOT_FOUND', /Cannot import "node:fs".*Node built-in modules are not available/],
    ['bare-builtin.ts', 'MODULE_NOT_FOUND', /Cannot import "fs".*Node built-in modules are not available/],
    ['outside.ts', 'MODULE_NOT_FOUND', /Cannot import "\.\.\/secret\.ts".*leaves the run's root directory/],
    ['missing.ts', 'MODULE_NOT_FOUND', /Cannot import "\.\/nope\.ts".*no such file/],
    ['broken.ts', 'SYNTAX_ERROR', /broken\.ts:\d+:\d+: /],
  ];
  for (const [file, code, message] of expectations) {
    await assert.rejects(buildApp(join(dir, 'app', file)), (error: unknown) => {
      assert.ok(IsletError.is(error), String(error));
      assert.equal(error.code, code, `${file}: ${error.message}`);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, new RegExp(dir.replaceAll('/', '\\/')), 'no host paths');
      return true;
    });
  }
  const cli = await islet(['build', join(dir, 'app', 'pkg.ts')]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /MODULE_NOT_FOUND: Cannot import "lodash"/);
});

test('islet build usage errors exit 2 and --help documents the plan', async () => {
  const dir = await project({ 'a.ts': 'export default 1;' });
  for (const args of [['build'], ['build', join(dir, 'a.ts'), '--routes', 'not a route!'], ['build', join(dir, 'nope.ts')], ['build', join(dir, 'a.ts'), '--name', 'Bad Name'], ['build', join(dir, 'a.ts'), '--compatibility-date', 'soon'], ['build', join(dir, 'a.ts'), '--config', 'x.json'], ['build', '--frob']]) {
    const r = await islet(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
  const help = await islet(['build', '--help']);
  assert.equal(help.code, 0);
  for (const word of ['app.plan.json', 'app.js.map', '--out', '--routes', '--config', '--compatibility-date']) assert.ok(help.stdout.includes(word), word);
});

test('mapGuestStack rewrites mapped frames and leaves the rest; malformed input never throws', () => {
  // "a.js" line 1 col 1 maps to "src/a.ts" line 3 col 5 (segment: gen col 0, source 0, line +2, col +4).
  const map = JSON.stringify({ version: 3, sources: ['src/a.ts'], names: [], mappings: 'AAEI' });
  const stack = 'Error: x\n    at f (a.js:1:1)\n    at a.js:1:1\n    at g (other.js:4:2)\n    at islet:entry:2:1';
  assert.equal(mapGuestStack(stack, { 'a.js': map }), 'Error: x\n    at f (src/a.ts:3:5)\n    at src/a.ts:3:5\n    at g (other.js:4:2)\n    at islet:entry:2:1');
  assert.equal(mapGuestStack(stack, { 'a.js': '{ not json' }), stack);
  assert.equal(mapGuestStack(stack, { 'a.js': JSON.stringify({ version: 3, sources: [], mappings: '!!!' }) }), stack);
  assert.equal(mapGuestStack(stack, {}), stack);
  assert.equal(mapGuestStack('', { 'a.js': map }), '');
  assert.equal(mapGuestStack(undefined as unknown as string, { 'a.js': map }), undefined);
  assert.equal(mapGuestStack(stack, null as unknown as Record<string, string>), stack);
  assert.equal(mapGuestStack('    at f (a.js:99:1)', { 'a.js': map }), '    at f (a.js:99:1)', 'no mapping for that line');
});

test('a guest exception in TypeScript that needs transform mode reports the original line', async () => {
  await using sandbox = new Sandbox({ isolation: 'isolate' });
  const error = await failure(sandbox.run(PROGRAM_TS, { filename: 'main.ts', modules: { 'lib/checks.ts': CHECKS_TS } }));
  assert.equal(error.code, 'GUEST_EXCEPTION');
  const stack = error.guest?.stack ?? '';
  assert.match(stack, /^RangeError: level too high: High/);
  assert.match(stack, /at Gate\.open \(lib\/checks\.ts:11:\d+\)/, stack);
  assert.match(stack, /at main \(main\.ts:3:\d+\)/, stack);
  assert.equal(error.receipt?.error?.stack, stack, 'the receipt carries the mapped stack');
});

test('a bundled plan app reports original TypeScript files and lines through app.js.map', async () => {
  const dir = await project({ 'main.ts': PROGRAM_TS, 'lib/checks.ts': CHECKS_TS });
  const { planPath } = await buildApp(join(dir, 'main.ts'));
  const { plan, modules } = await loadPlan(planPath);
  await using sandbox = new Sandbox({ isolation: 'isolate' });
  const error = await failure(sandbox.run(modules[plan.entry] ?? '', { filename: plan.entry, modules }));
  const stack = error.guest?.stack ?? '';
  assert.match(stack, /at Gate\.open \(lib\/checks\.ts:11:\d+\)/, stack);
  assert.match(stack, /at main \(main\.ts:3:\d+\)/, stack);
  assert.doesNotMatch(stack, /app\.js/);
});

test('islet run shows the original TypeScript line for sources and for build plans', async () => {
  const dir = await project({ 'main.ts': PROGRAM_TS, 'lib/checks.ts': CHECKS_TS });
  const direct = await islet(['run', join(dir, 'main.ts')]);
  assert.equal(direct.code, 1);
  assert.match(direct.stderr, /GUEST_EXCEPTION: RangeError: level too high: High\n\s+at Gate\.open \(lib\/checks\.ts:11:\d+\)\n\s+at main \(main\.ts:3:\d+\)/);

  const built = await islet(['build', join(dir, 'main.ts')]);
  assert.equal(built.code, 0, built.stderr);
  const viaPlan = await islet(['run', join(dir, 'dist', 'app.plan.json'), '--json']);
  assert.equal(viaPlan.code, 1);
  const receipt = JSON.parse(viaPlan.stdout) as { error: { code: string; stack: string } };
  assert.equal(receipt.error.code, 'GUEST_EXCEPTION');
  assert.match(receipt.error.stack, /at Gate\.open \(lib\/checks\.ts:11:\d+\)/);
});
