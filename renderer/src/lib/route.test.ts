import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashFor, routeFromHash, routeOf } from './route.ts';

test('a hash names a screen and, for the Library and Infill, an item', () => {
  assert.deepEqual(routeFromHash('#/caption'), { screen: 'caption', itemId: null });
  assert.deepEqual(routeFromHash('#/library/12'), { screen: 'library', itemId: 12 });
  assert.deepEqual(routeFromHash('#/infill/7/'), { screen: 'infill', itemId: 7 });
  assert.deepEqual(routeFromHash('#/models/3'), { screen: 'models', itemId: null });
  assert.deepEqual(routeFromHash('#/compare'), { screen: 'compare', itemId: null });
});

test('anything else is no route (the app keeps its default screen)', () => {
  for (const h of ['', '#', '#/', '#/settings', '#/library/x', '#library', '#/library/-1'])
    assert.equal(routeFromHash(h), null, h);
});

test('the state writes the hash it reads back', () => {
  const cases = [
    { screen: 'library' as const, detailId: 4, infillId: null },
    { screen: 'infill' as const, detailId: 4, infillId: 9 },
    { screen: 'generate' as const, detailId: 4, infillId: 9 },
    { screen: 'library' as const, detailId: null, infillId: 9 },
  ];
  assert.deepEqual(
    cases.map((c) => hashFor(routeOf(c))),
    ['#/library/4', '#/infill/9', '#/generate', '#/library'],
  );
  for (const c of cases) assert.deepEqual(routeFromHash(hashFor(routeOf(c))), routeOf(c));
});
