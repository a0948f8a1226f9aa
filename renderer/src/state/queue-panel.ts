/** Whether the queue panel is collapsed, kept across restarts. */
import { createStore } from './store.ts';

const COLLAPSED_KEY = 'tessera.queue.collapsed';

function initialCollapsed(): boolean {
  try {
    return localStorage.getItem(COLLAPSED_KEY) === '1';
  } catch {
    return false;
  }
}

export const queueCollapsedStore = createStore<boolean>(initialCollapsed());

export function setQueueCollapsed(collapsed: boolean): void {
  queueCollapsedStore.set(collapsed);
  try {
    localStorage.setItem(COLLAPSED_KEY, collapsed ? '1' : '0');
  } catch {
    // not persisted
  }
}
