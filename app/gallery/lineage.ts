/** The family tree of an item: every ancestor and every descendant, each with its link. */
import type { GalleryContext } from './context.ts';
import type { LineageNode } from './types.ts';
import { assertAssetsExist, assertId } from './validate.ts';

/** Lineage is acyclic by construction; the bound only stops a damaged table looping forever. */
const MAX_DEPTH = 1000;

export function lineage(ctx: GalleryContext, id: number): LineageNode[] {
  assertId(id);
  assertAssetsExist(ctx, [id]);
  return ctx.all<LineageNode>(
    `WITH RECURSIVE
     up (id, depth) AS (
       SELECT @id, 0
       UNION
       SELECT l.parent_id, up.depth - 1 FROM lineage l JOIN up ON l.child_id = up.id
       WHERE up.depth > -@max
     ),
     nearest_up AS (SELECT id, max(depth) AS depth FROM up GROUP BY id),
     down (id, parent_id, op, depth) AS (
       SELECT child_id, parent_id, op, 1 FROM lineage WHERE parent_id = @id
       UNION
       SELECT l.child_id, l.parent_id, l.op, down.depth + 1
       FROM lineage l JOIN down ON l.parent_id = down.id WHERE down.depth < @max
     )
     SELECT n.id, l.parent_id AS parentId, l.op, n.depth
     FROM nearest_up n LEFT JOIN lineage l ON l.child_id = n.id
     UNION
     SELECT id, parent_id, op, min(depth) FROM down GROUP BY id, parent_id
     ORDER BY depth, id, parentId`,
    { id, max: MAX_DEPTH },
  );
}
