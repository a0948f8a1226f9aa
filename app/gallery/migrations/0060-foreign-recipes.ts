/**
 * Schema 60: generations imported from other tools keep what their files say, so filters and
 * replays of settings find them. Which tool wrote the recipe (AUTOMATIC1111's `parameters`
 * text, or ComfyUI's prompt graph), the seed as a number (indexed, like a Tessera generation's),
 * and ComfyUI's prompt graph and whole workflow as found. The model name gets an index too.
 * Rows imported before keep their text; their seed is read back from their settings.
 */
import type { Migration } from './migration.ts';

const sql = `
ALTER TABLE foreign_generations ADD COLUMN tool TEXT NOT NULL DEFAULT 'automatic1111'
  CHECK (tool IN ('automatic1111', 'comfyui'));
ALTER TABLE foreign_generations ADD COLUMN seed INTEGER;
ALTER TABLE foreign_generations ADD COLUMN prompt_graph_json TEXT;
ALTER TABLE foreign_generations ADD COLUMN workflow_json TEXT;
UPDATE foreign_generations
  SET seed = CAST(json_extract(settings_json, '$.Seed') AS INTEGER)
  WHERE json_extract(settings_json, '$.Seed') NOT GLOB '*[^0-9]*'
    AND length(json_extract(settings_json, '$.Seed')) BETWEEN 1 AND 15;
CREATE INDEX foreign_generations_by_model ON foreign_generations (model_name);
CREATE INDEX foreign_generations_by_seed ON foreign_generations (seed);
`;

export const migration0060: Migration = { version: 60, name: 'foreign-recipes', sql };
