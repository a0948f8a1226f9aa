/** Schema 40: one visual descriptor per asset for "more like this" (see image-embedding.ts). */
import type { Migration } from './migration.ts';

const sql = `
CREATE TABLE embeddings (
  asset_id INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  vec BLOB NOT NULL
) STRICT;
`;

export const migration0040: Migration = { version: 40, name: 'embeddings', sql };
