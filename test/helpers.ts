/** Shared test helpers. */
import assert from 'node:assert/strict';
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

