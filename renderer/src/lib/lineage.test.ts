import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineageNodes, relationOf, relativesCount, type Lineage } from './lineage.ts';

const tree: Lineage = [
  { id: 1, parentId: null, op: null, depth: -2 },
  { id: 2, parentId: 1, op: 'infill', depth: -1 },
  { id: 3, parentId: 2, op: 'infill', depth: 0 },
  { id: 4, parentId: 3, op: 'replay', depth: 1 },
  { id: 5, parentId: 4, op: null, depth: 2 },
  { id: 4, parentId: 3, op: 'replay', depth: 1 },
];

test('each node once, in order, with the oldest depth', () => {
  const { nodes, minDepth } = lineageNodes(tree);
  assert.deepEqual(
    nodes.map((n) => n.id),
    [1, 2, 3, 4, 5],
  );
  assert.equal(minDepth, -2);
  assert.equal(lineageNodes([{ id: 3, parentId: null, op: null, depth: 0 }]).minDepth, 0);
});

test('relatives are the other distinct items', () => {
  assert.equal(relativesCount(tree, 3), 4);
  assert.equal(relativesCount([{ id: 3, parentId: null, op: null, depth: 0 }], 3), 0);
});

test('each relative is captioned by its relation and the operation that made it', () => {
  assert.equal(relationOf(tree[0]!), 'ancestor #1');
  assert.equal(relationOf(tree[1]!), 'parent #2 · infill of #1');
  assert.equal(relationOf(tree[3]!), 'child #4 · replay of #3');
  assert.equal(relationOf(tree[4]!), 'descendant #5 · derived of #4');
});
