import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carriesFiles, carriesItems, draggedItems, ITEMS_TYPE, setDraggedItems } from './drag.ts';

function transfer(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    get types() {
      return [...data.keys()];
    },
    getData: (type: string) => data.get(type) ?? '',
    setData: (type: string, value: string) => void data.set(type, value),
  };
}

test('library items travel as ids under their own type, with readable text beside', () => {
  const dt = transfer();
  setDraggedItems(dt, [12, 7]);
  assert.ok(carriesItems(dt));
  assert.ok(!carriesFiles(dt));
  assert.deepEqual(draggedItems(dt), [12, 7]);
  assert.equal(dt.getData('text/plain'), '#12 #7');
});

test('a drag from elsewhere yields no items, whatever it carries', () => {
  assert.deepEqual(draggedItems(transfer()), []);
  assert.deepEqual(draggedItems(transfer({ [ITEMS_TYPE]: 'not json' })), []);
  assert.deepEqual(draggedItems(transfer({ [ITEMS_TYPE]: '{"id":3}' })), []);
  assert.deepEqual(draggedItems(transfer({ [ITEMS_TYPE]: '[3,-1,"4",2.5,9]' })), [3, 9]);
  assert.ok(carriesFiles(transfer({ Files: '' })));
});
