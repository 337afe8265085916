import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

function tsc(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['node_modules/typescript/bin/tsc', ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

test('islet/guest types: a guest module type-checks against types/guest.d.ts alone, and what guests lack does not', async () => {
  const r = await tsc(['-p', 'test/types/tsconfig.json']);
  assert.equal(r.code, 0, `tsc -p test/types/tsconfig.json failed:\n${r.output}`);
});
