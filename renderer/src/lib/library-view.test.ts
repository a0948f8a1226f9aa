import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_FILTERS } from './library-query.ts';
import {
  appendPaths,
  countLine,
  emptyView,
  exportIds,
  importCounts,
  parsePaths,
  parseTags,
  trashMessage,
} from './library-view.ts';

test('an empty view says whether it is the trash, a search with no match, or an empty library', () => {
  assert.equal(
    emptyView({ ...EMPTY_FILTERS, trashed: true, text: 'x' }).title,
    'The trash is empty',
  );
  assert.equal(emptyView({ ...EMPTY_FILTERS, text: 'heart' }).title, 'Nothing matches');
  assert.equal(
    emptyView({ ...EMPTY_FILTERS, starred: true }).body,
    'Try fewer filters or other words.',
  );
  assert.equal(emptyView(EMPTY_FILTERS).title, 'The library is empty');
});

test('the status line counts items, says when more may follow, the trash and the selection', () => {
  assert.equal(countLine(1, true, false, 0), '1 item');
  assert.equal(countLine(12345, false, false, 3), '12,345+ items · 3 selected');
  assert.equal(countLine(0, true, true, 0), '0 items in the trash');
});

test('an export takes the selection, else the open item, else nothing', () => {
  assert.deepEqual(exportIds(new Set([3, 1]), 9), [3, 1]);
  assert.deepEqual(exportIds(new Set(), 9), [9]);
  assert.deepEqual(exportIds(new Set(), null), []);
});

test('delete and restore say how many', () => {
  assert.equal(trashMessage(1, false), 'Moved 1 item to the trash');
  assert.equal(trashMessage(4, false), 'Moved 4 items to the trash');
  assert.equal(trashMessage(2, true), 'Restored 2 items');
});

test('import paths: one a line, blanks dropped; picked paths go below the typed ones', () => {
  assert.deepEqual(parsePaths(' /a \n\n/b/c.png\n  '), ['/a', '/b/c.png']);
  assert.equal(appendPaths('', ['/x', '/y']), '/x\n/y');
  assert.equal(appendPaths('/a\n', ['/x']), '/a\n/x');
});

test('an import answer is counted by status, failures kept with their reasons', () => {
  const counts = importCounts([
    { path: '/a.png', status: 'imported', id: 1, message: null },
    { path: '/b.png', status: 'exists', id: 2, message: null },
    { path: '/c.txt', status: 'failed', id: null, message: 'not an image' },
  ] as never);
  assert.equal(counts.imported, 1);
  assert.equal(counts.exists, 1);
  assert.deepEqual(
    counts.failed.map((f) => f.path),
    ['/c.txt'],
  );
});

test('tags are split on commas, trimmed, and kept to 100 characters', () => {
  assert.deepEqual(parseTags(' red, heart ,,'), ['red', 'heart']);
  assert.deepEqual(parseTags(`ok,${'x'.repeat(101)}`), ['ok']);
  assert.deepEqual(parseTags(' , '), []);
});
