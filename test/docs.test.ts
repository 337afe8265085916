import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as api from '../src/index.ts';

const root = new URL('../', import.meta.url);

test('docs/errors.md documents exactly the error codes in src/errors.ts', async () => {
  const doc = await readFile(new URL('docs/errors.md', root), 'utf8');
  const documented = [...doc.matchAll(/^## `([A-Z_]+)`/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.keys(api.ERROR_CODES).sort());
});

test('the public API exports exactly these names', () => {
  assert.deepEqual(Object.keys(api).sort(), ['DEFAULT_LIMITS', 'ERROR_CODES', 'Handle', 'IsletError', 'Sandbox', 'handle']);
});

test('README documents every default limit with its value', async () => {
  const readme = await readFile(new URL('README.md', root), 'utf8');
  for (const [name, value] of Object.entries(api.DEFAULT_LIMITS)) assert.ok(readme.includes(`\`${name}\` | ${value}`), `${name} = ${value}`);
});

test('the README starts with the two commands and .ci/run calls the test command', async () => {
  const readme = await readFile(new URL('README.md', root), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks[0]?.trim(), 'npm start');
  assert.equal(blocks[1]?.trim(), 'npm test');
  const ci = await readFile(new URL('.ci/run', root), 'utf8');
  assert.match(ci, /^npm test$/m);
});
