/**
 * Schema 10: assets and everything hanging off them (generations, generations imported from
 * other tools, lineage, scores, captions, boards, tags) plus the full-text index. The index is maintained by triggers, so no writer can
 * forget to update it.
 */
import type { Migration } from './migration.ts';

/** Rewrites the search row of every asset whose id matches `idMatch` (e.g. `= new.asset_id`). */
const refreshSearch = (idMatch: string) => `
  DELETE FROM assets_fts WHERE rowid ${idMatch};
  INSERT INTO assets_fts (rowid, prompt, captions, tags, model)
    SELECT asset_id, prompt, captions, tags, model FROM asset_search_text WHERE asset_id ${idMatch};`;

const sql = `
CREATE TABLE assets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  kind TEXT NOT NULL CHECK (kind IN ('generation', 'photo')),
  mime TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  origin TEXT NOT NULL CHECK (origin IN ('generated', 'imported', 'library')),
  created_at INTEGER NOT NULL,
  deleted_at INTEGER,
  starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
  rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
  has_thumb INTEGER NOT NULL DEFAULT 0 CHECK (has_thumb IN (0, 1)),
  exif_json TEXT
) STRICT;
-- The grid pages by id (insertion order), so most filters need no sort. Partial indexes keep
-- the trash out of the live ones: with deleted_at leading an index, ANALYZE would average
-- 99,000 live rows with 1,000 distinct trash times and misjudge "deleted_at IS NULL".
CREATE INDEX assets_trash ON assets (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX assets_live_kind ON assets (kind) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_starred ON assets (starred) WHERE deleted_at IS NULL AND starred = 1;
CREATE INDEX assets_live_rated ON assets (rating) WHERE deleted_at IS NULL AND rating > 0;
CREATE INDEX assets_by_created ON assets (created_at);

CREATE TABLE generations (
  asset_id INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  job_id TEXT,
  model_id TEXT NOT NULL,
  model_sha TEXT NOT NULL,
  family TEXT NOT NULL,
  task TEXT NOT NULL CHECK (task IN ('generate', 'infill')),
  prompt TEXT NOT NULL,
  negative_prompt TEXT NOT NULL,
  style TEXT,
  seed INTEGER NOT NULL,
  image_index INTEGER NOT NULL,
  params_json TEXT NOT NULL,
  recipe_json TEXT NOT NULL,
  rng_version TEXT NOT NULL,
  tokens BLOB NOT NULL,
  tokens_sha TEXT NOT NULL,
  provider TEXT NOT NULL,
  duration_ms INTEGER
) STRICT;
-- Each index ends with the rowid (asset_id), so a filtered page is read in id order.
CREATE INDEX generations_by_model ON generations (model_id);
CREATE INDEX generations_by_family ON generations (family);
CREATE INDEX generations_by_task ON generations (task);
CREATE INDEX generations_by_seed ON generations (seed);
CREATE INDEX generations_by_job ON generations (job_id);

-- Images another tool generated: an AUTOMATIC1111-style parameters text, no Tessera recipe.
CREATE TABLE foreign_generations (
  asset_id INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  prompt TEXT NOT NULL,
  negative_prompt TEXT NOT NULL,
  model_name TEXT,
  settings_json TEXT NOT NULL,
  infotext TEXT NOT NULL
) STRICT;

CREATE TABLE lineage (
  child_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  parent_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  op TEXT NOT NULL CHECK (op IN ('infill', 'branch', 'replay', 'retrieval')),
  mask_sha TEXT,
  PRIMARY KEY (child_id, parent_id),
  CHECK (child_id <> parent_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX lineage_by_parent ON lineage (parent_id, child_id);

CREATE TABLE scores (
  asset_id INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  prompt_logp_per_token REAL NOT NULL,
  candidates INTEGER NOT NULL
) STRICT;
CREATE INDEX scores_by_adherence ON scores (prompt_logp_per_token, asset_id);

CREATE TABLE captions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('user', 'model', 'file')),
  model_id TEXT,
  role TEXT NOT NULL CHECK (role IN ('current', 'suggestion')),
  conflict TEXT,
  created_at INTEGER NOT NULL,
  CHECK (source <> 'model' OR model_id IS NOT NULL)
) STRICT;
CREATE INDEX captions_by_asset ON captions (asset_id);
-- One caption per asset per captioning model, and at most one current caption per asset.
CREATE UNIQUE INDEX captions_one_per_model ON captions (asset_id, model_id) WHERE source = 'model';
CREATE UNIQUE INDEX captions_one_current ON captions (asset_id) WHERE role = 'current';

CREATE TABLE boards (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
  auto_add INTEGER NOT NULL DEFAULT 0 CHECK (auto_add IN (0, 1)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE board_assets (
  board_id INTEGER NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (board_id, asset_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX board_assets_by_asset ON board_assets (asset_id);

CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0)
) STRICT;
CREATE TABLE asset_tags (
  asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK (source IN ('user', 'model')),
  PRIMARY KEY (asset_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX asset_tags_by_tag ON asset_tags (tag_id, asset_id);

-- Search: one row per asset, rowid = asset id, text computed by this view.
CREATE VIRTUAL TABLE assets_fts USING fts5 (
  prompt, captions, tags, model,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
CREATE VIEW asset_search_text AS
SELECT
  a.id AS asset_id,
  coalesce(g.prompt, f.prompt, '') AS prompt,
  coalesce((SELECT group_concat(c.text, ' ') FROM captions c WHERE c.asset_id = a.id), '')
    AS captions,
  coalesce((SELECT group_concat(t.name, ' ') FROM asset_tags x JOIN tags t ON t.id = x.tag_id
    WHERE x.asset_id = a.id), '') AS tags,
  coalesce(g.model_id || ' ' || g.family, f.model_name, '') AS model
FROM assets a LEFT JOIN generations g ON g.asset_id = a.id
  LEFT JOIN foreign_generations f ON f.asset_id = a.id;

CREATE TRIGGER assets_search_insert AFTER INSERT ON assets BEGIN ${refreshSearch('= new.id')} END;
CREATE TRIGGER assets_search_delete AFTER DELETE ON assets BEGIN
  DELETE FROM assets_fts WHERE rowid = old.id;
END;
CREATE TRIGGER generations_search_insert AFTER INSERT ON generations BEGIN
  ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER generations_search_update AFTER UPDATE ON generations BEGIN
  ${refreshSearch('= old.asset_id')} ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER generations_search_delete AFTER DELETE ON generations BEGIN
  ${refreshSearch('= old.asset_id')}
END;
CREATE TRIGGER foreign_search_insert AFTER INSERT ON foreign_generations BEGIN
  ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER foreign_search_update AFTER UPDATE ON foreign_generations BEGIN
  ${refreshSearch('= old.asset_id')} ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER foreign_search_delete AFTER DELETE ON foreign_generations BEGIN
  ${refreshSearch('= old.asset_id')}
END;
CREATE TRIGGER captions_search_insert AFTER INSERT ON captions BEGIN
  ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER captions_search_update AFTER UPDATE OF text, asset_id ON captions BEGIN
  ${refreshSearch('= old.asset_id')} ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER captions_search_delete AFTER DELETE ON captions BEGIN
  ${refreshSearch('= old.asset_id')}
END;
CREATE TRIGGER asset_tags_search_insert AFTER INSERT ON asset_tags BEGIN
  ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER asset_tags_search_update AFTER UPDATE OF asset_id, tag_id ON asset_tags BEGIN
  ${refreshSearch('= old.asset_id')} ${refreshSearch('= new.asset_id')}
END;
CREATE TRIGGER asset_tags_search_delete AFTER DELETE ON asset_tags BEGIN
  ${refreshSearch('= old.asset_id')}
END;
CREATE TRIGGER tags_search_rename AFTER UPDATE OF name ON tags BEGIN
  ${refreshSearch('IN (SELECT asset_id FROM asset_tags WHERE tag_id = new.id)')}
END;
`;

export const migration0010: Migration = { version: 10, name: 'gallery', sql };
