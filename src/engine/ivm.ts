/** Loads isolated-vm once, after checking that this process can run it safely. */
import { createRequire } from 'node:module';
import type IvmNs from 'isolated-vm';
import { IsletError } from '../errors.ts';

type IvmModule = typeof IvmNs;

/** The oldest isolated-vm release per major that has the fix for advisory GHSA-864f-rcv7-6rh4. */
const FIXED_RELEASES: Readonly<Record<number, readonly [number, number, number]>> = { 6: [6, 2, 0], 7: [7, 0, 1] };

const require = createRequire(import.meta.url);
let loaded: IvmModule | undefined;

/** Whether a version string is at or past the release that fixed GHSA-864f-rcv7-6rh4. */
export function isPatchedIvmVersion(version: string): boolean {
  const parts = version.split(/[.-]/, 3).map(Number);
  const [major = 0, minor = 0, patch = 0] = parts;
  if (major > 7) return true;
  const fixed = FIXED_RELEASES[major];
  if (fixed === undefined) return false;
  if (minor !== fixed[1]) return minor > fixed[1];
  return patch >= fixed[2];
}

/** Whether this process was started with --no-node-snapshot (directly or through NODE_OPTIONS). */
export function hasNoNodeSnapshotFlag(): boolean {
  return process.execArgv.includes('--no-node-snapshot') ||
    (process.env['NODE_OPTIONS'] ?? '').split(/\s+/).includes('--no-node-snapshot');
}

/** Returns isolated-vm, or throws ENGINE_UNAVAILABLE saying what to fix. */
export function loadIvm(): IvmModule {
  if (loaded !== undefined) return loaded;
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 24) {
    throw new IsletError('ENGINE_UNAVAILABLE', `islet needs Node 24 or newer; this is Node ${process.versions.node}.`);
  }
  if (!hasNoNodeSnapshotFlag()) {
    throw new IsletError('ENGINE_UNAVAILABLE',
      'isolated-vm needs Node started with "--no-node-snapshot": run "node --no-node-snapshot ...", ' +
      'or use the option isolation: "process", which starts its own worker process with the flag.');
  }
  const pkg = require('isolated-vm/package.json') as { version: string };
  if (!isPatchedIvmVersion(pkg.version)) {
    throw new IsletError('ENGINE_UNAVAILABLE',
      `isolated-vm ${pkg.version} lacks the fix for advisory GHSA-864f-rcv7-6rh4; install isolated-vm 7.0.1 or newer.`);
  }
  loaded = require('isolated-vm') as IvmModule;
  return loaded;
}

/** The installed isolated-vm version. */
export function ivmVersion(): string {
  return (require('isolated-vm/package.json') as { version: string }).version;
}
