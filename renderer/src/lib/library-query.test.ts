import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemDetailView } from '../../../app/common/contract.ts';
import { activeFilterCount, buildQuery, EMPTY_FILTERS, stillMatches } from './library-query.ts';

test('empty filters send only sort, limit and cursor', () => {
  assert.deepEqual(buildQuery(EMPTY_FILTERS, 200, null), {
    sort: 'newest',
    limit: 200,
    cursor: null,
  });
  assert.equal(activeFilterCount(EMPTY_FILTERS), 0);
});

test('every filter maps onto the query', () => {
  const q = buildQuery(
    {
      text: ' heart ',
      kind: 'generation',
      starred: true,
      minRating: 3,
      tag: 'red',
      boardId: 2,
      captioned: 'no',
      modelId: 'm/x',
      sort: 'adherence',
      trashed: false,
    },
    100,
    'c1',
  );
  assert.deepEqual(q, {
    sort: 'adherence',
    limit: 100,
    cursor: 'c1',
    text: 'heart',
    kind: 'generation',
    starred: true,
    minRating: 3,
    tag: 'red',
    boardId: 2,
    captioned: false,
    modelId: 'm/x',
  });
});

const item = {
  id: 1,
  kind: 'generation',
  starred: false,
  rating: 2,
  tags: ['red'],
  boards: [{ id: 2, name: 'b' }],
  modelId: 'm/x',
  captions: [],
  deletedAt: null,
} as unknown as ItemDetailView;

test('a changed item is checked against the filters', () => {
  assert.equal(stillMatches(item, EMPTY_FILTERS), true);
  assert.equal(stillMatches(item, { ...EMPTY_FILTERS, starred: true }), false);
  assert.equal(stillMatches(item, { ...EMPTY_FILTERS, minRating: 3 }), false);
  assert.equal(stillMatches(item, { ...EMPTY_FILTERS, tag: 'red', boardId: 2 }), true);
  assert.equal(stillMatches(item, { ...EMPTY_FILTERS, captioned: 'yes' }), false);
  assert.equal(stillMatches({ ...item, deletedAt: 5 }, EMPTY_FILTERS), false);
  assert.equal(stillMatches({ ...item, deletedAt: 5 }, { ...EMPTY_FILTERS, trashed: true }), true);
});
