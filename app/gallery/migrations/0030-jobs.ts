/** Schema 30: the persistent job queue (docs/architecture.md §The job queue). */
import type { Migration } from './migration.ts';

const sql = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('generate', 'infill', 'caption-folder')),
  status TEXT NOT NULL CHECK (status IN
    ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted')),
  -- REAL so a job can be moved between two others without renumbering the queue.
  position REAL NOT NULL,
  batch_id TEXT,
  model_id TEXT NOT NULL,
  request_json TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  checkpoint_json TEXT,
  result_json TEXT,
  error_json TEXT,
  control TEXT CHECK (control IN ('pause', 'cancel')),
  owner_pid INTEGER,
  heartbeat_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
) STRICT;
CREATE INDEX jobs_by_status ON jobs (status, position);
CREATE INDEX jobs_by_batch ON jobs (batch_id);
`;

export const migration0030: Migration = { version: 30, name: 'jobs', sql };
