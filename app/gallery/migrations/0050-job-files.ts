/**
 * Schema 50: what a captioning job did to each file (captioned, kept as a suggestion, skipped,
 * failed, or not an image), so its per-file list outlives the window that watched it run.
 * One row per (job, path) in the order the files were first reported; a file reported again
 * after a resume updates its row. Rows go with their job when the queue is pruned.
 */
import type { Migration } from './migration.ts';

const sql = `
CREATE TABLE job_files (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  path TEXT NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('captioned', 'suggestion', 'skipped', 'failed', 'problem')),
  caption TEXT,
  message TEXT,
  PRIMARY KEY (job_id, seq),
  UNIQUE (job_id, path)
) STRICT, WITHOUT ROWID;
-- Filtered pages (only the failures, say) read in seq order without a sort.
CREATE INDEX job_files_by_status ON job_files (job_id, status, seq);
`;

export const migration0050: Migration = { version: 50, name: 'job-files', sql };
