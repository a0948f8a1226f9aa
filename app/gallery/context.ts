/**
 * What every gallery module works with: the open connection, the library folder, and
 * prepared statements cached by their SQL text (preparing is a large share of a small query).
 */
import type { Statement } from 'better-sqlite3';
import { nodeFileIo, type FileIo } from './atomic-file.ts';
import type { Db } from './db.ts';

export interface GalleryContext {
  readonly db: Db;
  readonly dir: string;
  readonly io: FileIo;
  get<T>(sql: string, ...params: unknown[]): T | undefined;
  all<T>(sql: string, ...params: unknown[]): T[];
  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, ...params: unknown[]): number;
  /** Runs `fn` in a write transaction that takes the write lock at once (BEGIN IMMEDIATE). */
  write<T>(fn: () => T): T;
  /** How many write transactions this connection has run: a cheap "did I change anything". */
  writeCount(): number;
}

export function createContext(db: Db, dir: string, io: FileIo = nodeFileIo): GalleryContext {
  const statements = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  let writes = 0;
  return {
    db,
    dir,
    io,
    get: <T>(sql: string, ...params: unknown[]) => prepared(sql).get(...params) as T | undefined,
    all: <T>(sql: string, ...params: unknown[]) => prepared(sql).all(...params) as T[],
    run: (sql, ...params) => prepared(sql).run(...params).changes,
    // A nested call joins the outer transaction (better-sqlite3 uses a savepoint).
    write: (fn) => {
      writes++;
      return db.inTransaction ? db.transaction(fn)() : db.transaction(fn).immediate();
    },
    writeCount: () => writes,
  };
}
