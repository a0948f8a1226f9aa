/**
 * Schema 20: watched folders, the files seen in them, and one captioning result per
 * (file content, model): the row that makes "skip done" and "resume after crash" exact.
 */
import type { Migration } from './migration.ts';

const sql = `
CREATE TABLE library_roots (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  added_at INTEGER NOT NULL
) STRICT;

CREATE TABLE library_files (
  id INTEGER PRIMARY KEY,
  root_id INTEGER NOT NULL REFERENCES library_roots (id) ON DELETE CASCADE,
  rel_path TEXT NOT NULL,
  sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
  asset_id INTEGER REFERENCES assets (id) ON DELETE SET NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  -- REAL: fs.Stats.mtimeMs has a fractional part, and change detection compares it exactly.
  mtime_ms REAL NOT NULL,
  seen_at INTEGER NOT NULL,
  UNIQUE (root_id, rel_path)
) STRICT;
CREATE INDEX library_files_by_asset ON library_files (asset_id);
CREATE INDEX library_files_by_sha ON library_files (sha256);

CREATE TABLE caption_results (
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  model_id TEXT NOT NULL,
  file_id INTEGER REFERENCES library_files (id) ON DELETE SET NULL,
  status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
  caption_id INTEGER REFERENCES captions (id) ON DELETE SET NULL,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  done_at INTEGER NOT NULL,
  PRIMARY KEY (sha256, model_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX caption_results_by_file ON caption_results (file_id);
CREATE INDEX caption_results_by_caption ON caption_results (caption_id);
`;

export const migration0020: Migration = { version: 20, name: 'folders', sql };
