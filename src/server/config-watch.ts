/**
 * Watches the config file of `islet serve`: a valid change is applied like a deploy (changed apps
 * become new versions while the old ones drain; apps that left the file are removed); an invalid
 * change is logged with every problem and the running state is kept.
 */
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { IsletError } from '../errors.ts';
import { ConfigError, configBaseDir, validateConfig, type ServerConfig } from './config.ts';
import type { Deployments } from './deployments.ts';
import type { Logger } from './log.ts';

/** Reads and validates a config file (ConfigError on any problem, including unreadable JSON). */
export async function readConfigFile(path: string, environment: Record<string, string | undefined>): Promise<ServerConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ path: '$', message: `cannot read the file as JSON: ${(error as Error).message}` }], path);
  }
  return validateConfig(raw, { baseDir: configBaseDir(path), environment, source: path });
}

/** Options for {@link watchConfig}. */
export interface WatchOptions {
  path: string;
  /** The config the server started with (to notice changes that need a restart). */
  running: ServerConfig;
  deployments: Deployments;
  log: Logger;
  environment: Record<string, string | undefined>;
  /** Polling interval (default 500 ms). Polling, unlike fs.watch, survives editors that replace the file. */
  intervalMs?: number;
  /** Called after each change was handled (tests wait on it). */
  onApplied?: (result: { ok: boolean; deployed: string[]; removed: string[]; failed: string[] }) => void;
}

/** Starts watching; returns the function that stops it. */
export function watchConfig(options: WatchOptions): () => void {
  const { path, log } = options;
  let chain = Promise.resolve();
  const onChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    chain = chain.then(async () => {
      let next: ServerConfig;
      try {
        next = await readConfigFile(path, options.environment);
      } catch (error) {
        const problems = error instanceof ConfigError ? error.problems : [{ path: '$', message: (error as Error).message }];
        log.log({ type: 'config', event: 'invalid', file: path, problems, kept: 'the running apps are unchanged' });
        options.onApplied?.({ ok: false, deployed: [], removed: [], failed: [] });
        return;
      }
      const restart = (['listen', 'server', 'admin', 'dataDir'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(options.running[k]));
      if (restart.length > 0) log.log({ type: 'config', event: 'needs-restart', file: path, changed: restart, message: `changes to ${restart.join(', ')} take effect on the next start` });
      try {
        const result = await options.deployments.reconcile(next.apps, next.baseDir);
        log.log({ type: 'config', event: 'applied', file: path, ...result });
        options.onApplied?.({ ok: result.failed.length === 0, ...result });
      } catch (error) {
        log.log({ type: 'error', code: IsletError.is(error) ? error.code : 'INTERNAL', message: `applying the config file failed: ${(error as Error).message}` });
        options.onApplied?.({ ok: false, deployed: [], removed: [], failed: [] });
      }
    });
  };
  watchFile(path, { interval: options.intervalMs ?? 500, persistent: false }, onChange);
  return () => { unwatchFile(path, onChange); };
}
