/** Shared test helpers. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsletError } from '../src/index.ts';
import type { Receipt } from '../src/index.ts';

/** Runs and returns the failure (asserting that it failed). */
export async function failure(p: Promise<Receipt>): Promise<IsletError<Receipt>> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof IsletError, `expected an IsletError, got ${String(error)}`);
    return error as IsletError<Receipt>;
  }
  assert.fail('the run should have failed');
}


/** A temporary folder (named after `prefix`) holding `files`, by relative path; returns its path. */
export async function project(files: Record<string, string>, prefix = 'islet-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
