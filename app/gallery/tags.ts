/** Tags: case-insensitive names; a tag a user confirms outranks the same tag from a model. */
import type { GalleryContext } from './context.ts';
import { invalid } from './errors.ts';
import { assertAssetsExist, assertIds, assertName, idsJson } from './validate.ts';

function tagNames(names: unknown): string[] {
  if (!Array.isArray(names)) throw invalid('pass a list of tag names');
  const byKey = new Map<string, string>();
  for (const name of names) {
    const clean = assertName(name, 'tag');
    if (!byKey.has(clean.toLowerCase())) byKey.set(clean.toLowerCase(), clean);
  }
  return [...byKey.values()];
}

export function addTags(
  ctx: GalleryContext,
  ids: number[],
  names: string[],
  source: 'user' | 'model' = 'user',
): void {
  assertIds(ids);
  const clean = tagNames(names);
  if (source !== 'user' && source !== 'model')
    throw invalid(`a tag source is user or model, got ${JSON.stringify(source)}`);
  ctx.write(() => {
    assertAssetsExist(ctx, ids);
    for (const name of clean) {
      ctx.run('INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING', name);
      const { id } = ctx.get<{ id: number }>('SELECT id FROM tags WHERE name = ?', name)!;
      ctx.run(
        `INSERT INTO asset_tags (asset_id, tag_id, source)
         SELECT value, ?, ? FROM json_each(?) WHERE true
         ON CONFLICT (asset_id, tag_id) DO UPDATE SET source = 'user'
           WHERE excluded.source = 'user'`,
        id,
        source,
        idsJson(ids),
      );
    }
  });
}

export function removeTags(ctx: GalleryContext, ids: number[], names: string[]): void {
  assertIds(ids);
  const clean = JSON.stringify(tagNames(names));
  ctx.write(() => {
    assertAssetsExist(ctx, ids);
    ctx.run(
      `DELETE FROM asset_tags WHERE asset_id IN (SELECT value FROM json_each(?))
       AND tag_id IN (SELECT id FROM tags WHERE name IN (SELECT value FROM json_each(?)))`,
      idsJson(ids),
      clean,
    );
    // A tag nothing carries any more disappears from the tag list.
    ctx.run(
      `DELETE FROM tags WHERE name IN (SELECT value FROM json_each(?))
       AND NOT EXISTS (SELECT 1 FROM asset_tags x WHERE x.tag_id = tags.id)`,
      clean,
    );
  });
}

/** Every tag with how many items outside the trash carry it, most used first. */
export function listTags(ctx: GalleryContext): { name: string; count: number }[] {
  return ctx.all(
    `SELECT t.name, count(a.id) AS count FROM tags t
     LEFT JOIN asset_tags x ON x.tag_id = t.id
     LEFT JOIN assets a ON a.id = x.asset_id AND a.deleted_at IS NULL
     GROUP BY t.id ORDER BY count DESC, t.name`,
  );
}
