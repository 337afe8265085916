/**
 * The app store: every deployed version of every app, and which version each app serves, in an
 * embedded SQLite database (Node's built-in node:sqlite; no server to run). Each change is one
 * transaction, so a crash in the middle of a deploy leaves the previous version serving, never a
 * half-written one. `:memory:` keeps the store for the life of the process only.
 */
import { DatabaseSync } from 'node:sqlite';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** Where a version came from: the admin API or the config file. */
export type VersionSource = 'api' | 'config';

/** One stored version of an app. */
export interface StoredVersion {
  app: string;
  version: number;
  /** The app as deployed: the config entry or the admin API body (secrets included: keep the store private). */
  spec: unknown;
  source: VersionSource;
  /** sha256 of the spec's canonical JSON: equal specs have equal hashes. */
  sha256: string;
  createdAt: string;
}

/** An app and the version it serves. */
export interface StoredApp {
  name: string;
  current: number;
  source: VersionSource;
}

const SCHEMA_VERSION = 1;

/** The app store over one SQLite file. */
export class AppStore {
  readonly #db: DatabaseSync;

  /** Opens (creating if needed) the store in `dataDir`, or in memory when `dataDir` is undefined. */
  constructor(dataDir: string | undefined) {
    let file = ':memory:';
    if (dataDir !== undefined) {
      if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      file = join(dataDir, 'apps.db');
      // Owner-only before SQLite opens it, so its -wal and -shm files are too: it holds secrets.
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    this.#db = new DatabaseSync(file);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS apps (name TEXT PRIMARY KEY, current INTEGER NOT NULL, source TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS versions (
        app TEXT NOT NULL, version INTEGER NOT NULL, spec TEXT NOT NULL, source TEXT NOT NULL,
        sha256 TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (app, version));
    `);
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined;
    if (row === undefined) this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
    else if (Number(row.value) > SCHEMA_VERSION) throw new Error(`the app store in ${file} has schema ${row.value}, newer than this islet understands (${SCHEMA_VERSION}); upgrade islet`);
  }

  /** Every app with the version it serves, by name. */
  apps(): StoredApp[] {
    return (this.#db.prepare('SELECT name, current, source FROM apps ORDER BY name').all() as { name: string; current: number; source: VersionSource }[])
      .map((r) => ({ name: r.name, current: Number(r.current), source: r.source }));
  }

  /** One app, or undefined. */
  app(name: string): StoredApp | undefined {
    const r = this.#db.prepare('SELECT name, current, source FROM apps WHERE name = ?').get(name) as { name: string; current: number; source: VersionSource } | undefined;
    return r === undefined ? undefined : { name: r.name, current: Number(r.current), source: r.source };
  }

  /** One version, or undefined. */
  version(app: string, version: number): StoredVersion | undefined {
    const r = this.#db.prepare('SELECT * FROM versions WHERE app = ? AND version = ?').get(app, version) as Row | undefined;
    return r === undefined ? undefined : fromRow(r);
  }

  /** The versions of an app, oldest first (without their specs' sources, to keep listings small). */
  versions(app: string): Omit<StoredVersion, 'spec'>[] {
    return (this.#db.prepare('SELECT app, version, source, sha256, created_at FROM versions WHERE app = ? ORDER BY version').all(app) as Omit<Row, 'spec'>[])
      .map((r) => ({ app: r.app, version: Number(r.version), source: r.source as VersionSource, sha256: r.sha256, createdAt: r.created_at }));
  }

  /** The newest version of `app` that came from `source`, or undefined. */
  latestFrom(app: string, source: VersionSource): StoredVersion | undefined {
    const r = this.#db.prepare('SELECT * FROM versions WHERE app = ? AND source = ? ORDER BY version DESC LIMIT 1').get(app, source) as Row | undefined;
    return r === undefined ? undefined : fromRow(r);
  }

  /** The version numbered before `version` that still exists, or undefined. */
  previous(app: string, version: number): number | undefined {
    const r = this.#db.prepare('SELECT MAX(version) AS v FROM versions WHERE app = ? AND version < ?').get(app, version) as { v: number | null };
    return r.v === null ? undefined : Number(r.v);
  }

  /** The number the next version of `app` gets (versions are never reused, even after a delete). */
  nextVersion(app: string): number {
    const r = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(`next:${app}`) as { value: string } | undefined;
    return r === undefined ? 1 : Number(r.value);
  }

  /** Records a new version and makes it the one the app serves, in one transaction. */
  deploy(app: string, version: number, spec: unknown, source: VersionSource, sha256: string): StoredVersion {
    const createdAt = new Date().toISOString();
    this.#transaction(() => {
      this.#db.prepare('INSERT INTO versions (app, version, spec, source, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(app, version, JSON.stringify(spec), source, sha256, createdAt);
      this.#db.prepare('INSERT INTO apps (name, current, source) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET current = excluded.current, source = excluded.source').run(app, version, source);
      this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(`next:${app}`, String(version + 1));
    });
    return { app, version, spec, source, sha256, createdAt };
  }

  /** Makes an existing version the one the app serves. */
  activate(app: string, version: number): void {
    const source = (this.#db.prepare('SELECT source FROM versions WHERE app = ? AND version = ?').get(app, version) as { source: string } | undefined)?.source;
    if (source === undefined) throw new Error(`app ${app} has no version ${version}`);
    this.#db.prepare('UPDATE apps SET current = ?, source = ? WHERE name = ?').run(version, source, app);
  }

  /** Removes an app and its versions (its version numbers are not reused). */
  remove(app: string): void {
    this.#transaction(() => {
      this.#db.prepare('DELETE FROM versions WHERE app = ?').run(app);
      this.#db.prepare('DELETE FROM apps WHERE name = ?').run(app);
    });
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Runs `fn` in one transaction (changes inside it commit together; nests). */
  batch(fn: () => void): void { this.#transaction(fn); }

  #depth = 0;

  #transaction(fn: () => void): void {
    if (this.#depth > 0) { fn(); return; }
    this.#depth += 1;
    try { this.#begin(fn); } finally { this.#depth -= 1; }
  }

  #begin(fn: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

interface Row { app: string; version: number; spec: string; source: string; sha256: string; created_at: string }

function fromRow(r: Row): StoredVersion {
  return { app: r.app, version: Number(r.version), spec: JSON.parse(r.spec) as unknown, source: r.source as VersionSource, sha256: r.sha256, createdAt: r.created_at };
}
