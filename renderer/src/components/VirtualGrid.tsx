/**
 * The Library's virtualised grid (docs/studio.md §Library; InvokeAI #5710 scrolled 1,000 images in
 * 30 s): fixed-size cells positioned absolutely, only the rows in view (plus a little overscan)
 * in the DOM, one delegated click, key and drag-start handler for all cells, no per-item React
 * state.
 * Keyset pages load as the view nears the end.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { ItemSummaryView } from '../../../app/common/contract.ts';
import { assetUrl } from '../bridge/index.ts';
import { setDraggedItems } from '../lib/drag.ts';
import {
  cellPosition,
  gridLayout,
  moveIndex,
  needsMore,
  scrollToReveal,
  visibleRange,
} from '../lib/grid-math.ts';
import { Icon } from './Icon.tsx';

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

export function VirtualGrid(props: GridProps) {
  const { items, hasMore, loading, onLoadMore, selection, activeId, minCell } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
  const anchorRef = useRef<number | null>(null);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const measure = () => setViewport({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scrollRef.current;
      if (el !== null) setScrollTop(el.scrollTop);
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

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
    if (count === 0 && scrollRef.current !== null) {
      scrollRef.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [count]);

  const activeIndex = activeId === null ? -1 : (props.indexOf(activeId) ?? -1);

  const reveal = (index: number) => {
    const el = scrollRef.current;
    if (el === null) return;
    const top = scrollToReveal(layout, index, el.scrollTop, el.clientHeight);
    if (top !== null) {
      el.scrollTop = top;
      setScrollTop(top);
    }
  };

  const indexAt = (target: EventTarget | null): number => {
    const cell = (target as HTMLElement | null)?.closest<HTMLElement>('[data-index]');
    return cell ? Number(cell.dataset.index) : -1;
  };

  const select = (index: number, e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }) => {
    const item = items[index];
    if (item === undefined) return;
    if (e.shiftKey && anchorRef.current !== null) {
      const a = props.indexOf(anchorRef.current) ?? index;
      const [lo, hi] = a < index ? [a, index] : [index, a];
      const next = new Set(e.ctrlKey || e.metaKey ? selection : []);
      for (let i = Math.max(0, lo); i <= hi; i++) next.add(items[i]!.id);
      props.onSelectionChange(next, item.id);
    } else if (e.ctrlKey || e.metaKey) {
      const next = new Set(selection);
      if (next.has(item.id)) next.delete(item.id);
      else next.add(item.id);
      anchorRef.current = item.id;
      props.onSelectionChange(next, item.id);
    } else {
      anchorRef.current = item.id;
      props.onSelectionChange(new Set([item.id]), item.id);
      props.onOpen(item);
    }
  };

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const star = (e.target as HTMLElement).closest('[data-star]');
    const index = indexAt(e.target);
    const item = items[index];
    if (item === undefined) return;
    if (star !== null) {
      props.onStar(item);
      return;
    }
    select(index, e);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    const rowsPerPage = Math.max(1, Math.floor(viewport.height / layout.rowHeight));
    const nav = [
      'ArrowLeft',
      'ArrowRight',
      'ArrowUp',
      'ArrowDown',
      'PageUp',
      'PageDown',
      'Home',
      'End',
    ];
    if (nav.includes(e.key)) {
      e.preventDefault();
      const next = moveIndex(activeIndex, e.key, layout.columns, count, rowsPerPage);
      const item = items[next];
      if (item === undefined) return;
      reveal(next);
      if (e.shiftKey) select(next, { shiftKey: true, ctrlKey: false, metaKey: false });
      else {
        anchorRef.current = item.id;
        props.onSelectionChange(new Set([item.id]), item.id);
        props.onOpen(item);
      }
    } else if (e.key === ' ' && activeIndex >= 0) {
      e.preventDefault();
      select(activeIndex, { shiftKey: false, ctrlKey: true, metaKey: false });
    } else if (e.key === 'Enter' && activeIndex >= 0) {
      e.preventDefault();
      props.onOpen(items[activeIndex]!);
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && selection.size > 0) {
      e.preventDefault();
      props.onDelete([...selection]);
    } else if (e.key.toLowerCase() === 's' && !e.ctrlKey && !e.metaKey && activeIndex >= 0) {
      e.preventDefault();
      props.onStar(items[activeIndex]!);
    } else if (e.key.toLowerCase() === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      props.onSelectionChange(new Set(items.map((i) => i.id)), activeId);
    } else if (e.key === 'Escape' && selection.size > 0) {
      props.onSelectionChange(new Set(), activeId);
    }
  };

  const cells = [];
  for (let i = range.firstIndex; i < range.lastIndex; i++) {
    const item = items[i]!;
    const { x, y } = cellPosition(layout, i);
    const selected = selection.has(item.id);
    const small = item.width <= 128 && item.height <= 128;
    const thumb = item.thumbSha256 ?? item.sha256;
    cells.push(
      <div
        key={item.id}
        id={`grid-cell-${item.id}`}
        role="option"
        aria-selected={selected}
        aria-label={`${item.title || 'Untitled'}${item.starred ? ', starred' : ''}${item.rating > 0 ? `, rated ${item.rating}` : ''}`}
        className={`cell${selected ? ' selected' : ''}${item.id === activeId ? ' active' : ''}`}
        data-index={i}
        data-testid={`grid-item-${item.id}`}
        draggable
        title={item.title}
        style={{ transform: `translate(${x}px, ${y}px)`, width: layout.cell, height: layout.cell }}
      >
        <span className="cell-fallback" aria-hidden="true">
          {item.title || `#${item.id}`}
        </span>
        <img
          src={assetUrl(thumb, !small)}
          alt=""
          className={small ? 'pixelated' : undefined}
          decoding="async"
          draggable={false}
        />
        <span className={`cell-star${item.starred ? ' on' : ''}`} data-star="1" aria-hidden="true">
          <Icon name="star" size={14} filled={item.starred} />
        </span>
        {item.rating > 0 ? (
          <span className="cell-rating" aria-hidden="true">
            {'★'.repeat(item.rating)}
          </span>
        ) : null}
        {item.kind === 'photo' ? (
          <span className="cell-kind" aria-hidden="true">
            photo
          </span>
        ) : null}
        {selected && selection.size > 1 ? (
          <span className="cell-check" aria-hidden="true">
            <Icon name="check" size={12} />
          </span>
        ) : null}
      </div>,
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
        onClick={onClick}
        onKeyDown={onKeyDown}
        onDragStart={(e) => {
          // Dragging an item carries the selection when the item is in it, else the item alone.
          const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
          const item = cell === null ? undefined : items[Number(cell.dataset.index)];
          if (item === undefined) return;
          setDraggedItems(e.dataTransfer, selection.has(item.id) ? [...selection] : [item.id]);
          e.dataTransfer.effectAllowed = 'copy';
        }}
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
