/**
 * Opens `library.sqlite`: refuses files it must not touch (not SQLite, not a library, written by
 * a newer Tessera), sets the per-connection pragmas, and brings the schema up to date in one
 * transaction after backing the old file up.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { GalleryError, corruptMessage, translateSqliteError } from './errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, pendingMigrations } from './migrations/index.ts';

export type Db = Database.Database;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** True when the file exists and has content that does not start like a SQLite database. */
function isForeignFile(path: string): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false; // absent: SQLite creates it
  }
  if (size === 0) return false; // SQLite treats an empty file as an empty database
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return !head.equals(SQLITE_HEADER);
}

function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Tables that are not SQLite's own: a version-0 file that has some is somebody else's data. */
function hasForeignTables(db: Db): boolean {
  const row = db
    .prepare(
      `SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
    )
    .get() as { n: number };
  return row.n > 0;
}

/**
 * A consistent copy of the database before a migration touches it. VACUUM INTO rather than
 * better-sqlite3's asynchronous .backup(): opening a library is synchronous, and a half-opened
 * library must never be visible to other code while the copy runs.
 */
function backUp(db: Db, dbPath: string, version: number): void {
  const target = `${dbPath}.bak-v${version}`;
  // Unique: two processes opening an old library together may both back it up.
  const tmp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    // VACUUM cannot run inside a transaction, so another process may have migrated first;
    // then this copy is already new, and that process's backup is the one to keep.
    const copy = new Database(tmp, { readonly: true });
    const copied = userVersion(copy);
    copy.close();
    if (copied !== version) {
      rmSync(tmp, { force: true });
      return;
    }
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Switches a new library to WAL. The switch needs the file to itself and, unlike other
 * statements, SQLite reports "busy" at once instead of waiting for busy_timeout; two
 * processes creating one library at the same moment would see that, so it is retried here.
 */
function useWal(db: Db): void {
  for (let waited = 0; ; waited += 20) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || waited >= 5000) throw err;
      sleepSync(20);
    }
  }
}

function migrate(db: Db, dbPath: string, upTo: number): void {
  const before = userVersion(db);
  if (before >= upTo) return;
  if (before > 0) backUp(db, dbPath, before);
  db.transaction(() => {
    // Another process may have migrated while we were backing up: re-read under the write lock.
    for (const step of pendingMigrations(userVersion(db), upTo)) {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }
  }).immediate();
  db.pragma('optimize');
}

/**
 * Opens (creating if absent) the library database at `dbPath` and migrates it to `upTo`
 * (the newest schema unless a fixture generator asks for an older one).
 */
export function openLibraryDatabase(dbPath: string, upTo = LATEST_SCHEMA_VERSION): Db {
  if (isForeignFile(dbPath))
    throw new GalleryError('corrupt-database', `${dbPath} is not a SQLite database: ${hint()}`);
  let db: Db;
  try {
    db = new Database(dbPath);
  } catch (err) {
    throw translateSqliteError(err, dbPath);
  }
  try {
    db.pragma('busy_timeout = 5000');
    // Checked before any pragma that writes (journal_mode rewrites the header): a file this app
    // must refuse is left byte-identical.
    // One snapshot: another process may be creating this library at this very moment.
    const { version, foreign } = db.transaction(() => ({
      version: userVersion(db),
      foreign: hasForeignTables(db),
    }))();
    if (version > LATEST_SCHEMA_VERSION) {
      throw new GalleryError(
        'newer-database',
        `this library was written by a newer Tessera (schema ${version}, this app knows ` +
          `${LATEST_SCHEMA_VERSION}): update Tessera; the file ${dbPath} was not touched`,
      );
    }
    if (version === 0 && foreign)
      throw new GalleryError(
        'corrupt-database',
        `${dbPath} is a SQLite database but not a Tessera library: ${hint()}`,
      );
    if (version !== 0 && !MIGRATIONS.some((m) => m.version === version))
      throw new GalleryError('corrupt-database', corruptMessage(dbPath));
    useWal(db);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('analysis_limit = 1000'); // keeps PRAGMA optimize (run at close) fast on big libraries
    migrate(db, dbPath, upTo);
    return db;
  } catch (err) {
    db.close();
    throw translateSqliteError(err, dbPath);
  }
}

function hint(): string {
  return 'move it aside (or restore its .bak-v<N> backup) and open the library again; Tessera did not change it';
}
