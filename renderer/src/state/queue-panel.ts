/**
 * Whether the queue panel is collapsed: the user's choice on wide windows, kept across restarts;
 * on narrow ones it collapses by itself (lib/panel-layout.ts).
 */
import {
  isQueueCollapsed,
  NARROW_WIDTH,
  withNarrow,
  withQueueCollapsed,
  type QueueLayout,
} from '../lib/panel-layout.ts';
import { createStore } from './store.ts';

const COLLAPSED_KEY = 'tessera.queue.collapsed';
const narrowQuery = window.matchMedia(`(max-width: ${NARROW_WIDTH}px)`);

function initialCollapsed(): boolean {
  try {
    return localStorage.getItem(COLLAPSED_KEY) === '1';
  } catch {
    return false;
  }
}

export const queueLayoutStore = createStore<QueueLayout>({
  collapsedWhenWide: initialCollapsed(),
  narrow: narrowQuery.matches,
  openWhileNarrow: false,
});

narrowQuery.addEventListener('change', (e) =>
  queueLayoutStore.set((l) => withNarrow(l, e.matches)),
);

export { isQueueCollapsed };

export function setQueueCollapsed(collapsed: boolean): void {
  queueLayoutStore.set((l) => withQueueCollapsed(l, collapsed));
  try {
    localStorage.setItem(COLLAPSED_KEY, queueLayoutStore.get().collapsedWhenWide ? '1' : '0');
  } catch {
    // not persisted
  }
}
