import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cellPosition,
  gridLayout,
  moveIndex,
  needsMore,
  scrollToReveal,
  visibleRange,
} from './grid-math.ts';

test('columns fill the width and cells stretch to it', () => {
  const l = gridLayout(1000, 100, 150, 8);
  assert.equal(l.columns, 6);
  assert.ok(l.columns * (l.cell + l.gap) + l.gap <= 1000);
  assert.ok(l.cell >= 150);
  assert.equal(l.rows, 17);
  assert.equal(l.totalHeight, 17 * l.rowHeight + 8);
});

test('a narrow viewport still has one column', () => {
  const l = gridLayout(50, 3, 150, 8);
  assert.equal(l.columns, 1);
  assert.equal(l.rows, 3);
});

test('the visible range covers only rows in view, plus overscan', () => {
  const l = gridLayout(1000, 100_000, 150, 8);
  const r = visibleRange(l, 100_000, 50 * l.rowHeight, 600, 2);
  assert.equal(r.firstRow, 48);
  assert.ok(r.lastRow - r.firstRow <= Math.ceil(600 / l.rowHeight) + 5);
  assert.equal(r.firstIndex, 48 * l.columns);
  assert.equal(r.lastIndex, r.lastRow * l.columns);
});

test('the range is clamped at the end and empty for no items', () => {
  const l = gridLayout(1000, 10, 150, 8);
  const r = visibleRange(l, 10, 10_000, 600);
  assert.equal(r.lastIndex, 10);
  assert.ok(r.firstIndex <= r.lastIndex);
  assert.deepEqual(visibleRange(gridLayout(1000, 0, 150, 8), 0, 0, 600), {
    firstRow: 0,
    lastRow: 0,
    firstIndex: 0,
    lastIndex: 0,
  });
});

test('cell positions follow row-major order', () => {
  const l = gridLayout(1000, 100, 150, 8);
  assert.deepEqual(cellPosition(l, 0), { x: 8, y: 8 });
  const p = cellPosition(l, l.columns + 1);
  assert.equal(p.x, 8 + l.cell + 8);
  assert.equal(p.y, 8 + l.rowHeight);
});

test('scrollToReveal scrolls up or down only when needed', () => {
  const l = gridLayout(1000, 1000, 150, 8);
  assert.equal(scrollToReveal(l, 0, 0, 600), null);
  const below = scrollToReveal(l, l.columns * 10, 0, 600);
  assert.ok(below !== null && below > 0);
  assert.equal(scrollToReveal(l, 0, 500, 600), 0);
});

test('needsMore asks for a page near the end only when there is one', () => {
  const l = gridLayout(1000, 60, 150, 8);
  const r = visibleRange(l, 60, 0, 900);
  assert.equal(needsMore(l, r, true), true);
  assert.equal(needsMore(l, r, false), false);
  const big = gridLayout(1000, 6000, 150, 8);
  assert.equal(needsMore(big, visibleRange(big, 6000, 0, 900), true), false);
});

test('keyboard moves clamp at the edges', () => {
  assert.equal(moveIndex(0, 'ArrowLeft', 5, 20, 3), 0);
  assert.equal(moveIndex(4, 'ArrowRight', 5, 20, 3), 5);
  assert.equal(moveIndex(2, 'ArrowDown', 5, 20, 3), 7);
  assert.equal(moveIndex(17, 'ArrowDown', 5, 20, 3), 17);
  assert.equal(moveIndex(2, 'ArrowUp', 5, 20, 3), 2);
  assert.equal(moveIndex(2, 'PageDown', 5, 20, 3), 17);
  assert.equal(moveIndex(2, 'End', 5, 20, 3), 19);
  assert.equal(moveIndex(-1, 'ArrowRight', 5, 20, 3), 0);
  assert.equal(moveIndex(0, 'ArrowRight', 5, 0, 3), -1);
});
