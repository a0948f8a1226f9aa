import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickSelection, gridKey, type Modifiers } from './grid-select.ts';

const items = [10, 11, 12, 13, 14].map((id) => ({ id }));
const none: Modifiers = { shiftKey: false, ctrlKey: false, metaKey: false };
const ids = (s: ReadonlySet<number> | undefined) => [...(s ?? [])].sort((a, b) => a - b);

test('a plain click selects only the item, anchors there and opens it', () => {
  const r = clickSelection(items, 2, 0, new Set([10, 11]), none)!;
  assert.deepEqual(ids(r.selection), [12]);
  assert.equal(r.anchorId, 12);
  assert.equal(r.open, true);
  assert.equal(clickSelection(items, 9, null, new Set(), none), null);
});

test('Ctrl or Cmd+click toggles the item and moves the anchor, without opening', () => {
  const on = clickSelection(items, 3, null, new Set([10]), { ...none, ctrlKey: true })!;
  assert.deepEqual(ids(on.selection), [10, 13]);
  assert.deepEqual([on.anchorId, on.open], [13, false]);
  const off = clickSelection(items, 0, null, new Set([10, 13]), { ...none, metaKey: true })!;
  assert.deepEqual(ids(off.selection), [13]);
});

test('Shift+click selects the range from the anchor either way, keeping the anchor', () => {
  const down = clickSelection(items, 3, 1, new Set([14]), { ...none, shiftKey: true })!;
  assert.deepEqual(ids(down.selection), [11, 12, 13]);
  assert.deepEqual([down.anchorId, down.open], [undefined, false]);
  const up = clickSelection(items, 0, 2, new Set(), { ...none, shiftKey: true })!;
  assert.deepEqual(ids(up.selection), [10, 11, 12]);
  // With Ctrl as well, the range is added to the selection.
  const added = clickSelection(items, 4, 3, new Set([10]), {
    ...none,
    shiftKey: true,
    ctrlKey: true,
  })!;
  assert.deepEqual(ids(added.selection), [10, 13, 14]);
  // No anchor yet: a Shift+click is a plain click.
  assert.equal(clickSelection(items, 1, null, new Set(), { ...none, shiftKey: true })!.open, true);
});

test('the keyboard map', () => {
  const k = (key: string, mods: Partial<Modifiers> = {}, active = 2, selected = 1) =>
    gridKey({ ...none, ...mods, key }, active, selected);
  for (const key of ['ArrowLeft', 'ArrowDown', 'PageUp', 'Home', 'End'])
    assert.deepEqual(k(key, {}, -1, 0), { kind: 'move', key });
  assert.deepEqual(k(' '), { kind: 'toggle' });
  assert.equal(k(' ', {}, -1), null);
  assert.deepEqual(k('Enter'), { kind: 'open' });
  assert.equal(k('Enter', {}, -1), null);
  assert.deepEqual(k('Delete'), { kind: 'delete' });
  assert.deepEqual(k('Backspace'), { kind: 'delete' });
  assert.equal(k('Delete', {}, 2, 0), null);
  assert.deepEqual(k('S'), { kind: 'star' });
  assert.equal(k('s', { ctrlKey: true }), null);
  assert.equal(k('s', {}, -1), null);
  assert.deepEqual(k('a', { metaKey: true }), { kind: 'selectAll' });
  assert.equal(k('a'), null);
  assert.deepEqual(k('Escape'), { kind: 'clear' });
  assert.equal(k('Escape', {}, 2, 0), null);
  assert.equal(k('x'), null);
});
