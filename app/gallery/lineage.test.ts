import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GalleryError } from './index.ts';
import { generation, painters, tempGallery } from './testing/helpers.ts';

test('lineage lists every ancestor and descendant with its link, and nothing beside', async () => {
  const gallery = tempGallery();
  const add = (
    salt: number,
    parent: number | null,
    op: 'infill' | 'branch' | 'replay' = 'branch',
  ) =>
    gallery.addGeneration(
      generation(
        painters.sunset!,
        {},
        {
          parent:
            parent === null
              ? null
              : { assetId: parent, op, maskSha256: op === 'infill' ? 'e'.repeat(64) : null },
        },
        salt,
      ),
    );
  const root = await add(1, null);
  const branch = await add(2, root, 'branch');
  const infill = await add(3, branch, 'infill');
  const grandchild = await add(4, infill, 'branch');
  const sibling = await add(5, root, 'replay');
  const unrelated = await add(6, null);

  assert.deepEqual(gallery.lineage(infill), [
    { id: root, parentId: null, op: null, depth: -2 },
    { id: branch, parentId: root, op: 'branch', depth: -1 },
    { id: infill, parentId: branch, op: 'infill', depth: 0 },
    { id: grandchild, parentId: infill, op: 'branch', depth: 1 },
  ]);
  assert.deepEqual(gallery.lineage(root), [
    { id: root, parentId: null, op: null, depth: 0 },
    { id: branch, parentId: root, op: 'branch', depth: 1 },
    { id: sibling, parentId: root, op: 'replay', depth: 1 },
    { id: infill, parentId: branch, op: 'infill', depth: 2 },
    { id: grandchild, parentId: infill, op: 'branch', depth: 3 },
  ]);
  assert.deepEqual(gallery.lineage(unrelated), [
    { id: unrelated, parentId: null, op: null, depth: 0 },
  ]);
  assert.throws(
    () => gallery.lineage(4242),
    (err: unknown) => err instanceof GalleryError && err.code === 'not-found',
  );
  // Purging a middle generation cuts the tree there but keeps both halves.
  gallery.trash([branch]);
  await gallery.purgeTrash(0);
  assert.deepEqual(
    gallery.lineage(infill).map((n) => [n.id, n.parentId, n.depth]),
    [
      [infill, null, 0],
      [grandchild, infill, 1],
    ],
  );
});
