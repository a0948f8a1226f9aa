/** A fixed-row-height virtualised list (captioning's per-file results can run to thousands). */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  label,
  testId,
  followTail = false,
}: {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  label: string;
  testId?: string;
  /** keep the newest row in view while the user has not scrolled up */
  followTail?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null || !followTail || !atBottom.current) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [items.length, followTail]);

  const overscan = 6;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows = [];
  for (let i = first; i < last; i++)
    rows.push(
      <li key={i} style={{ top: i * rowHeight, height: rowHeight }} className="vrow">
        {renderRow(items[i]!, i)}
      </li>,
    );
  return (
    <div
      className="vlist"
      ref={ref}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
        setScrollTop(el.scrollTop);
      }}
    >
      <ul
        aria-label={label}
        data-testid={testId}
        data-count={items.length}
        style={{ height: items.length * rowHeight, position: 'relative' }}
      >
        {rows}
      </ul>
    </div>
  );
}
