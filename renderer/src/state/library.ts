/**
 * The Library's list: keyset pages of `gallery:query` appended as the grid scrolls, held in a
 * plain array (no per-item React state) with an id → index map; `version` tells React that it
 * changed. `gallery:changed` patches loaded items in place, so a star, a tag or a delete does
 * not reload a 100,000-item view.
 */
import type { ItemSummaryView } from '../../../app/common/contract.ts';
import { invoke, on } from '../bridge/index.ts';
import {
  buildQuery,
  EMPTY_FILTERS,
  stillMatches,
  type LibraryFilters,
} from '../lib/library-query.ts';
import { reportError } from './app.ts';
import { forget, remember } from './assets.ts';
import { createStore } from './store.ts';

const PAGE = 300;

export interface LibraryState {
  filters: LibraryFilters;
  /** bumps whenever `list.items` changes */
  version: number;
  loading: boolean;
  /** no more pages */
  done: boolean;
  /** items were added that this sort cannot place without a reload */
  stale: boolean;
  selection: ReadonlySet<number>;
  /** bumps when items the detail panel may show changed */
  changedTick: number;
  lastChanged: readonly number[];
  /** the first page has answered at least once */
  loaded: boolean;
}

export const libraryStore = createStore<LibraryState>({
  filters: EMPTY_FILTERS,
  version: 0,
  loading: false,
  done: false,
  stale: false,
  selection: new Set(),
  changedTick: 0,
  lastChanged: [],
  loaded: false,
});

export const list = {
  items: [] as ItemSummaryView[],
  index: new Map<number, number>(),
  cursor: null as string | null,
  /** a newer query supersedes pages still in flight */
  generation: 0,
};

function bump(extra: Partial<LibraryState> = {}): void {
  libraryStore.set((s) => ({ ...s, ...extra, version: s.version + 1 }));
}

function reindex(): void {
  list.index.clear();
  list.items.forEach((it, i) => list.index.set(it.id, i));
}

export async function loadMore(): Promise<void> {
  const s = libraryStore.get();
  if (s.loading || s.done) return;
  const generation = list.generation;
  libraryStore.set((x) => ({ ...x, loading: true }));
  try {
    const page = await invoke('gallery:query', buildQuery(s.filters, PAGE, list.cursor));
    if (generation !== list.generation) return;
    for (const item of page.items) {
      if (list.index.has(item.id)) continue;
      list.index.set(item.id, list.items.length);
      list.items.push(item);
    }
    list.cursor = page.nextCursor;
    bump({ loading: false, done: page.nextCursor === null, loaded: true });
  } catch (err) {
    if (generation !== list.generation) return;
    libraryStore.set((x) => ({ ...x, loading: false, done: true, loaded: true }));
    reportError('Could not load the library', err);
  }
}

export function reload(): void {
  list.generation++;
  list.items = [];
  list.index.clear();
  list.cursor = null;
  bump({ loading: false, done: false, stale: false, selection: new Set() });
  void loadMore();
}

export function setFilters(patch: Partial<LibraryFilters>): void {
  libraryStore.set((s) => ({ ...s, filters: { ...s.filters, ...patch } }));
  reload();
}

export function setSelection(selection: ReadonlySet<number>): void {
  libraryStore.set((s) => ({ ...s, selection }));
}

/** Takes items out of the view at once (a delete), before the change event confirms it. */
export function removeFromView(ids: readonly number[]): void {
  const drop = new Set(ids);
  const before = list.items.length;
  list.items = list.items.filter((i) => !drop.has(i.id));
  if (list.items.length === before) return;
  reindex();
  const selection = new Set([...libraryStore.get().selection].filter((id) => !drop.has(id)));
  bump({ selection });
}

/** Replaces one loaded item's summary (after a star or a rating in the detail panel). */
export function patchItem(item: ItemSummaryView): void {
  const i = list.index.get(item.id);
  if (i === undefined) return;
  list.items[i] = item;
  bump();
}

// ── gallery:changed ───────────────────────────────────────────────────────────────────

let pendingChanged = new Set<number>();
let changeTimer: ReturnType<typeof setTimeout> | null = null;

async function applyChanges(): Promise<void> {
  changeTimer = null;
  const ids = [...pendingChanged];
  pendingChanged = new Set();
  forget(ids);
  libraryStore.set((s) => ({ ...s, changedTick: s.changedTick + 1, lastChanged: ids }));
  const { filters } = libraryStore.get();
  const generation = list.generation;
  const loaded = ids.filter((id) => list.index.has(id));
  const unknown = ids.filter((id) => !list.index.has(id));
  if (loaded.length > 60) {
    reload();
    return;
  }
  // Loaded items: re-read each and keep, patch or drop it.
  const drop: number[] = [];
  await Promise.all(
    loaded.map(async (id) => {
      try {
        const item = await invoke('gallery:get', { id });
        if (generation !== list.generation) return;
        if (!stillMatches(item, filters)) drop.push(id);
        else {
          const i = list.index.get(id);
          if (i !== undefined) list.items[i] = item;
          remember([item]);
        }
      } catch {
        drop.push(id); // gone for good
      }
    }),
  );
  if (generation !== list.generation) return;
  if (drop.length > 0) removeFromView(drop);
  else if (loaded.length > 0) bump();
  // New items: the newest sort puts them first; other sorts need a reload to place them.
  if (unknown.length === 0) return;
  if (filters.sort !== 'newest') {
    libraryStore.set((s) => ({ ...s, stale: true }));
    return;
  }
  try {
    const page = await invoke('gallery:query', buildQuery(filters, 100, null));
    if (generation !== list.generation) return;
    const fresh = page.items.filter((i) => !list.index.has(i.id));
    if (fresh.length === 0) return;
    list.items = [...fresh, ...list.items];
    reindex();
    bump();
  } catch (err) {
    reportError('Could not refresh the library', err);
  }
}

let subscribed = false;

export function startLibrary(): void {
  if (subscribed) return;
  subscribed = true;
  on('gallery:changed', ({ assetIds }) => {
    for (const id of assetIds) pendingChanged.add(id);
    if (changeTimer === null) changeTimer = setTimeout(() => void applyChanges(), 250);
  });
  reload();
}
