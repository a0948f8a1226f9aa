/**
 * The Library's virtualised grid (docs/studio.md §Library; InvokeAI #5710 scrolled 1,000 images in
 * 30 s): fixed-size cells positioned absolutely, only the rows in view (plus a little overscan)
 * in the DOM, one delegated click, key and drag-start handler for all cells, no per-item React
 * state.
 * Keyset pages load as the view nears the end.
 */
import { useEffect, useRef, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import type { ItemSummaryView } from '../../../app/common/contract.ts';
import { setDraggedItems } from '../lib/drag.ts';
import {
  cellPosition,
  gridLayout,
  moveIndex,
  needsMore,
  scrollToReveal,
  visibleRange,
} from '../lib/grid-math.ts';
import { clickSelection, gridKey, type Modifiers } from '../lib/grid-select.ts';
import { GridCell } from './grid/GridCell.tsx';
import { useGridViewport } from './grid/useGridViewport.ts';

const GAP = 8;

export interface GridProps {
  items: readonly ItemSummaryView[];
  /** bumps when `items` changed in place */
  version: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  selection: ReadonlySet<number>;
  activeId: number | null;
  minCell: number;
  /** plain click / Enter */
  onOpen: (item: ItemSummaryView) => void;
  onSelectionChange: (selection: ReadonlySet<number>, activeId: number | null) => void;
  onDelete: (ids: number[]) => void;
  onStar: (item: ItemSummaryView) => void;
  label: string;
  /** position of an item by id (an index map, not a scan of 100,000 items) */
  indexOf: (id: number) => number | undefined;
}

const indexAt = (target: EventTarget | null): number => {
  const cell = (target as HTMLElement | null)?.closest<HTMLElement>('[data-index]');
  return cell ? Number(cell.dataset.index) : -1;
};

/**
 * Clicks and keys on the grid: selection (lib/grid-select.ts), moving the active item and
 * revealing it, opening, starring, trashing, and dragging items out.
 */
function useGridInput(
  props: GridProps,
  activeIndex: number,
  columns: number,
  rowsPerPage: number,
  reveal: (index: number) => void,
) {
  const { items, selection, activeId } = props;
  const anchorRef = useRef<number | null>(null);

  const select = (index: number, mods: Modifiers) => {
    const anchor = anchorRef.current;
    const anchorIndex = anchor === null ? null : (props.indexOf(anchor) ?? index);
    const r = clickSelection(items, index, anchorIndex, selection, mods);
    if (r === null) return;
    if (r.anchorId !== undefined) anchorRef.current = r.anchorId;
    props.onSelectionChange(r.selection, items[index]!.id);
    if (r.open) props.onOpen(items[index]!);
  };

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const star = (e.target as HTMLElement).closest('[data-star]');
    const index = indexAt(e.target);
    const item = items[index];
    if (item === undefined) return;
    if (star !== null) props.onStar(item);
    else select(index, e);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return;
    const action = gridKey(e, activeIndex, selection.size);
    if (action === null) return;
    if (action.kind !== 'clear') e.preventDefault();
    switch (action.kind) {
      case 'move': {
        const next = moveIndex(activeIndex, action.key, columns, items.length, rowsPerPage);
        if (items[next] === undefined) return;
        reveal(next);
        // Shift extends the selection; a plain move selects and opens, as a click does.
        select(next, { shiftKey: e.shiftKey, ctrlKey: false, metaKey: false });
        return;
      }
      case 'toggle':
        return select(activeIndex, { shiftKey: false, ctrlKey: true, metaKey: false });
      case 'open':
        return props.onOpen(items[activeIndex]!);
      case 'delete':
        return props.onDelete([...selection]);
      case 'star':
        return props.onStar(items[activeIndex]!);
      case 'selectAll':
        return props.onSelectionChange(new Set(items.map((i) => i.id)), activeId);
      case 'clear':
        return props.onSelectionChange(new Set(), activeId);
    }
  };

  // Dragging an item carries the selection when the item is in it, else the item alone.
  const onDragStart = (e: DragEvent<HTMLDivElement>) => {
    const item = items[indexAt(e.target)];
    if (item === undefined) return;
    setDraggedItems(e.dataTransfer, selection.has(item.id) ? [...selection] : [item.id]);
    e.dataTransfer.effectAllowed = 'copy';
  };

  return { onClick, onKeyDown, onDragStart };
}

export function VirtualGrid(props: GridProps) {
  const { items, hasMore, loading, onLoadMore, selection, activeId, minCell } = props;
  const { scrollRef, viewport, scrollTop, onScroll, scrollTo } = useGridViewport();

  const count = items.length;
  const layout = gridLayout(viewport.width, count, minCell, GAP);
  const range = visibleRange(layout, count, scrollTop, viewport.height, 3);

  // Keyset paging: fetch the next page when fewer than a few rows are left below the view.
  const wantMore = needsMore(layout, range, hasMore) || (count === 0 && hasMore);
  useEffect(() => {
    if (wantMore && !loading) onLoadMore();
  }, [wantMore, loading, onLoadMore, count]);

  // A new query (items emptied) starts at the top.
  useEffect(() => {
    if (count === 0) scrollTo(0);
  }, [count, scrollTo]);

  const activeIndex = activeId === null ? -1 : (props.indexOf(activeId) ?? -1);
  const reveal = (index: number) => {
    const el = scrollRef.current;
    if (el === null) return;
    const top = scrollToReveal(layout, index, el.scrollTop, el.clientHeight);
    if (top !== null) scrollTo(top);
  };
  const rowsPerPage = Math.max(1, Math.floor(viewport.height / layout.rowHeight));
  const input = useGridInput(props, activeIndex, layout.columns, rowsPerPage, reveal);

  const cells = [];
  for (let i = range.firstIndex; i < range.lastIndex; i++) {
    const item = items[i]!;
    const { x, y } = cellPosition(layout, i);
    cells.push(
      <GridCell
        key={item.id}
        item={item}
        index={i}
        x={x}
        y={y}
        size={layout.cell}
        selected={selection.has(item.id)}
        active={item.id === activeId}
        multiple={selection.size > 1}
      />,
    );
  }

  return (
    <div className="grid-scroll" ref={scrollRef} onScroll={onScroll}>
      <div
        className="grid-canvas"
        role="listbox"
        aria-label={props.label}
        aria-multiselectable="true"
        aria-activedescendant={
          activeIndex >= 0 && activeIndex >= range.firstIndex && activeIndex < range.lastIndex
            ? `grid-cell-${activeId}`
            : undefined
        }
        tabIndex={0}
        data-testid="library-grid"
        data-count={count}
        style={{ height: Math.max(layout.totalHeight, 1) }}
        onClick={input.onClick}
        onKeyDown={input.onKeyDown}
        onDragStart={input.onDragStart}
        onErrorCapture={(e) => {
          // A missing file (moved, or a library restored without its objects): show the title.
          if (e.target instanceof HTMLImageElement) e.target.classList.add('broken');
        }}
        onFocus={() => {
          if (activeIndex < 0 && items[0] !== undefined)
            props.onSelectionChange(selection, items[0].id);
        }}
      >
        {cells}
      </div>
      {loading ? <div className="grid-loading muted">Loading…</div> : null}
    </div>
  );
}
