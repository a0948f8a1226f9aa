/**
 * Schema 70: search finds photos by their file's name and folders ("astronaut" finds
 * …/astronaut.png). The full-text index gains a `files` column, the paths of the files an asset
 * was seen as; FTS5 cannot add a column, so the index, its view and its triggers are made again,
 * with triggers on library_files too, and the index is refilled.
 */
import type { Migration } from './migration.ts';

const refreshSearch = (idMatch: string) => `
  DELETE FROM assets_fts WHERE rowid ${idMatch};
  INSERT INTO assets_fts (rowid, prompt, captions, tags, model, files)
    SELECT asset_id, prompt, captions, tags, model, files FROM asset_search_text
    WHERE asset_id ${idMatch};`;

/** table, what the trigger refreshes: every table whose rows feed an asset's search text. */
const FEEDS: [name: string, table: string, key: string, updateOf: string][] = [
  ['generations', 'generations', 'asset_id', ''],
  ['foreign', 'foreign_generations', 'asset_id', ''],
  ['captions', 'captions', 'asset_id', 'OF text, asset_id '],
  ['asset_tags', 'asset_tags', 'asset_id', 'OF asset_id, tag_id '],
  ['library_files', 'library_files', 'asset_id', 'OF asset_id, rel_path, root_id '],
];

const OLD_TRIGGERS = [
  'assets_search_insert',
  'assets_search_delete',
  'tags_search_rename',
  ...FEEDS.slice(0, 4).flatMap(([name]) =>
    ['insert', 'update', 'delete'].map((op) => `${name}_search_${op}`),
  ),
];

const feedTriggers = FEEDS.map(
  ([name, table, key, updateOf]) => `
CREATE TRIGGER ${name}_search_insert AFTER INSERT ON ${table} BEGIN
  ${refreshSearch(`= new.${key}`)}
END;
CREATE TRIGGER ${name}_search_update AFTER UPDATE ${updateOf}ON ${table} BEGIN
  ${refreshSearch(`= old.${key}`)} ${refreshSearch(`= new.${key}`)}
END;
CREATE TRIGGER ${name}_search_delete AFTER DELETE ON ${table} BEGIN
  ${refreshSearch(`= old.${key}`)}
END;`,
).join('\n');

const sql = `
${OLD_TRIGGERS.map((t) => `DROP TRIGGER ${t};`).join('\n')}
DROP VIEW asset_search_text;
DROP TABLE assets_fts;

CREATE VIRTUAL TABLE assets_fts USING fts5 (
  prompt, captions, tags, model, files,
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
  coalesce(g.model_id || ' ' || g.family, f.model_name, '') AS model,
  coalesce((SELECT group_concat(r.path || '/' || lf.rel_path, ' ') FROM library_files lf
    JOIN library_roots r ON r.id = lf.root_id WHERE lf.asset_id = a.id), '') AS files
FROM assets a LEFT JOIN generations g ON g.asset_id = a.id
  LEFT JOIN foreign_generations f ON f.asset_id = a.id;

CREATE TRIGGER assets_search_insert AFTER INSERT ON assets BEGIN ${refreshSearch('= new.id')} END;
CREATE TRIGGER assets_search_delete AFTER DELETE ON assets BEGIN
  DELETE FROM assets_fts WHERE rowid = old.id;
END;
${feedTriggers}
CREATE TRIGGER tags_search_rename AFTER UPDATE OF name ON tags BEGIN
  ${refreshSearch('IN (SELECT asset_id FROM asset_tags WHERE tag_id = new.id)')}
END;

INSERT INTO assets_fts (rowid, prompt, captions, tags, model, files)
  SELECT asset_id, prompt, captions, tags, model, files FROM asset_search_text;
`;

export const migration0070: Migration = { version: 70, name: 'search-files', sql };
