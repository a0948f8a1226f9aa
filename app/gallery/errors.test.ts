import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GalleryError, translateSqliteError } from './errors.ts';

test("SQLite's disk-full and corruption codes become GalleryErrors that say what to do", () => {
  const full = translateSqliteError(
    Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
    '/lib/library.sqlite',
  );
  assert.ok(full instanceof GalleryError && full.code === 'disk-full');
  assert.match((full as GalleryError).message, /free some space/);
  const corrupt = translateSqliteError(
    Object.assign(new Error('malformed'), { code: 'SQLITE_CORRUPT' }),
    '/lib/library.sqlite',
  );
  assert.ok(corrupt instanceof GalleryError && corrupt.code === 'corrupt-database');
  assert.match((corrupt as GalleryError).message, /\/lib\/library\.sqlite\.bak-v<N>/);
  const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  assert.match(String(translateSqliteError(busy, '/lib/library.sqlite')), /busy.*try again/);
  const other = new Error('constraint failed');
  assert.equal(translateSqliteError(other, '/lib/library.sqlite'), other);
});
