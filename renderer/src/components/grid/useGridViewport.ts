/**
 * The grid's scroll container: its size (kept current by a ResizeObserver) and scroll position
 * (read once a frame while scrolling), and scrolling to a position.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

export function useGridViewport() {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
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

  const scrollTo = useCallback((top: number) => {
    if (scrollRef.current !== null) scrollRef.current.scrollTop = top;
    setScrollTop(top);
  }, []);

  return { scrollRef, viewport, scrollTop, onScroll, scrollTo };
}
