/**
 * Geometry of the virtualised grid: fixed-size cells laid out in rows, so that the rows in
 * view (and the items in them) follow from the scroll offset alone. Pure: no DOM.
 */

export interface GridLayout {
  columns: number;
  /** cell width and height in px (square cells) */
  cell: number;
  gap: number;
  /** distance from one row's top to the next */
  rowHeight: number;
  rows: number;
  /** height of the scrollable content */
  totalHeight: number;
}

export function gridLayout(
  viewportWidth: number,
  itemCount: number,
  minCell: number,
  gap: number,
): GridLayout {
  const usable = Math.max(0, viewportWidth - gap);
  const columns = Math.max(1, Math.floor(usable / (minCell + gap)));
  // Stretch cells to fill the row exactly, so the grid has no ragged right edge.
  const cell = Math.max(1, Math.floor(usable / columns - gap));
  const rowHeight = cell + gap;
  const rows = Math.ceil(Math.max(0, itemCount) / columns);
  return { columns, cell, gap, rowHeight, rows, totalHeight: rows * rowHeight + gap };
}

export interface VisibleRange {
  firstRow: number;
  /** exclusive */
  lastRow: number;
  firstIndex: number;
  /** exclusive */
  lastIndex: number;
}

/** Rows intersecting [scrollTop, scrollTop + viewportHeight), plus `overscan` rows each side. */
export function visibleRange(
  layout: GridLayout,
  itemCount: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 2,
): VisibleRange {
  if (itemCount <= 0 || layout.rows === 0)
    return { firstRow: 0, lastRow: 0, firstIndex: 0, lastIndex: 0 };
  // Row r spans [gap + r·rowHeight, r·rowHeight + rowHeight): visible when it ends below the
  // top edge and starts above the bottom edge.
  const top = Math.max(0, scrollTop);
  const firstRow = Math.max(0, Math.floor(top / layout.rowHeight) - overscan);
  const lastRow = Math.min(
    layout.rows,
    Math.ceil((top + Math.max(0, viewportHeight) - layout.gap) / layout.rowHeight) + overscan,
  );
  return {
    firstRow,
    lastRow: Math.max(firstRow, lastRow),
    firstIndex: Math.min(itemCount, firstRow * layout.columns),
    lastIndex: Math.min(itemCount, Math.max(firstRow, lastRow) * layout.columns),
  };
}

/** Top-left corner of item `index`, in content coordinates. */
export function cellPosition(layout: GridLayout, index: number): { x: number; y: number } {
  const row = Math.floor(index / layout.columns);
  const col = index % layout.columns;
  return {
    x: layout.gap + col * (layout.cell + layout.gap),
    y: layout.gap + row * layout.rowHeight,
  };
}

/**
 * The scrollTop that brings item `index` fully into view, or null when it already is.
 * Used by keyboard navigation.
 */
export function scrollToReveal(
  layout: GridLayout,
  index: number,
  scrollTop: number,
  viewportHeight: number,
): number | null {
  const { y } = cellPosition(layout, index);
  if (y - layout.gap < scrollTop) return Math.max(0, y - layout.gap);
  if (y + layout.cell + layout.gap > scrollTop + viewportHeight)
    return y + layout.cell + layout.gap - viewportHeight;
  return null;
}

/** Whether the next page should be fetched: fewer than `threshold` rows left below the view. */
export function needsMore(
  layout: GridLayout,
  range: VisibleRange,
  hasMore: boolean,
  threshold = 6,
): boolean {
  return hasMore && layout.rows - range.lastRow < threshold;
}

/** Index reached by an arrow/page key from `index`, clamped to the items. */
export function moveIndex(
  index: number,
  key: string,
  columns: number,
  count: number,
  rowsPerPage: number,
): number {
  if (count === 0) return -1;
  let next = index < 0 ? 0 : index;
  if (index >= 0) {
    if (key === 'ArrowRight') next = index + 1;
    else if (key === 'ArrowLeft') next = index - 1;
    else if (key === 'ArrowDown') next = index + columns;
    else if (key === 'ArrowUp') next = index - columns;
    else if (key === 'PageDown') next = index + columns * Math.max(1, rowsPerPage);
    else if (key === 'PageUp') next = index - columns * Math.max(1, rowsPerPage);
    else if (key === 'Home') next = 0;
    else if (key === 'End') next = count - 1;
  }
  if (key === 'ArrowDown' || key === 'ArrowUp') {
    // A vertical move off the grid stays in place rather than wrapping to the other end.
    if (next < 0 || next >= count) return index;
  }
  return Math.min(count - 1, Math.max(0, next));
}
