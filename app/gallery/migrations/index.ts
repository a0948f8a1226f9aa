/**
 * Every schema step in order. Adding a step: a new file numbered 10 above the last, appended
 * here, and a fixture database of the previous version (fixtures/make-fixtures.ts).
 */
import type { Migration } from './migration.ts';
import { migration0010 } from './0010-gallery.ts';
import { migration0020 } from './0020-folders.ts';
import { migration0030 } from './0030-jobs.ts';
import { migration0040 } from './0040-embeddings.ts';
import { migration0050 } from './0050-job-files.ts';
import { migration0060 } from './0060-foreign-recipes.ts';
import { migration0070 } from './0070-search-files.ts';
import { migration0080 } from './0080-likelihoods.ts';

export type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [
  migration0010,
  migration0020,
  migration0030,
  migration0040,
  migration0050,
  migration0060,
  migration0070,
  migration0080,
];

for (let i = 0; i < MIGRATIONS.length; i++) {
  const expected = (i + 1) * 10;
  if (MIGRATIONS[i]!.version !== expected)
    throw new Error(`migration #${i} has version ${MIGRATIONS[i]!.version}, expected ${expected}`);
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function pendingMigrations(from: number, upTo = LATEST_SCHEMA_VERSION): Migration[] {
  return MIGRATIONS.filter((m) => m.version > from && m.version <= upTo);
}
