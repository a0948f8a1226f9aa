/**
 * Schema 80: an image's exact likelihood under a model that can give one (docs/models.md
 * §jetformer), in bits per dimension: how surprising the image is to that model. One value per
 * item, the latest measured (a generation's own model when it was made, or whichever model the
 * user last measured it with), with the model named so the value is never read as another
 * model's. Indexed for the Library's "most surprising first" sort.
 */
import type { Migration } from './migration.ts';

const sql = `
CREATE TABLE likelihoods (
  asset_id INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  bits_per_dim REAL NOT NULL CHECK (bits_per_dim >= 0 AND bits_per_dim < 1e6),
  measured_at INTEGER NOT NULL
) STRICT;
CREATE INDEX likelihoods_by_surprise ON likelihoods (bits_per_dim, asset_id);
`;

export const migration0080: Migration = { version: 80, name: 'likelihoods', sql };
