import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignSplits, DEFAULT_SPLIT, hashUnit, type SplitInput } from './splits.ts';

const SETS = ['a', 'b', 'c', 'd'];
function corpus(): SplitInput[] {
  const items: SplitInput[] = [];
  for (let n = 0; n < 600; n++) {
    for (const set of SETS) {
      if ((n + set.charCodeAt(0)) % 3 === 0) continue; // not every set draws every concept
      const concept = `concept ${n}`;
      items.push({ set, caption: concept, concept });
      items.push({ set, caption: `${concept} dark skin tone`, concept });
    }
  }
  return items;
}

test('hashUnit is stable and uniform-ish', () => {
  assert.equal(hashUnit('x', 1), hashUnit('x', 1));
  assert.notEqual(hashUnit('x', 1), hashUnit('x', 2));
  const xs = Array.from({ length: 2000 }, (_, i) => hashUnit('u', i));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.03);
});

test('unseen concepts are held out with every rendering and skin tone', () => {
  const items = corpus();
  const splits = assignSplits(items, DEFAULT_SPLIT);
  const unseen = new Set(items.filter((_, i) => splits[i] === 'test-unseen').map((x) => x.concept));
  assert.ok(unseen.size > 5);
  items.forEach((item, i) => {
    assert.equal(unseen.has(item.concept), splits[i] === 'test-unseen', item.caption);
  });
});

test('every val/test caption is seen in train from another set', () => {
  const items = corpus();
  const splits = assignSplits(items, DEFAULT_SPLIT);
  const trainSets = new Map<string, Set<string>>();
  items.forEach((item, i) => {
    if (splits[i] !== 'train') return;
    trainSets.set(item.caption, (trainSets.get(item.caption) ?? new Set()).add(item.set));
  });
  let held = 0;
  items.forEach((item, i) => {
    if (splits[i] !== 'val' && splits[i] !== 'test') return;
    held++;
    const sets = trainSets.get(item.caption);
    assert.ok(sets !== undefined && [...sets].some((s) => s !== item.set), item.caption);
  });
  assert.ok(held > 50, `only ${held} held-out renderings`);
});

test('splits are deterministic and depend on the seed', () => {
  const items = corpus();
  assert.deepEqual(assignSplits(items, DEFAULT_SPLIT), assignSplits(items, DEFAULT_SPLIT));
  assert.notDeepEqual(
    assignSplits(items, DEFAULT_SPLIT),
    assignSplits(items, { ...DEFAULT_SPLIT, seed: DEFAULT_SPLIT.seed + 1 }),
  );
});
