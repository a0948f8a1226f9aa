/**
 * What the UI knows about library items by id (hash, title, size), so that a lineage entry,
 * a "more like this" hit or a finished job can show its thumbnail. Filled from query pages and
 * `gallery:get` answers; unknown ids are fetched in small batches.
 */
import { useEffect } from 'react';
import type { ItemSummaryView } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { createStore, useStore } from './store.ts';

export type AssetSummary = Pick<
  ItemSummaryView,
  'id' | 'sha256' | 'title' | 'width' | 'height' | 'kind' | 'starred' | 'rating'
> & { missing?: boolean };

const cache = new Map<number, AssetSummary>();
const assetsVersion = createStore(0);
const pending = new Set<number>();
let timer: ReturnType<typeof setTimeout> | null = null;

export function remember(items: readonly AssetSummary[]): void {
  for (const i of items)
    cache.set(i.id, {
      id: i.id,
      sha256: i.sha256,
      title: i.title,
      width: i.width,
      height: i.height,
      kind: i.kind,
      starred: i.starred,
      rating: i.rating,
    });
  assetsVersion.set((v) => v + 1);
}

export function cachedAsset(id: number): AssetSummary | undefined {
  return cache.get(id);
}

async function flush(): Promise<void> {
  timer = null;
  const ids = [...pending].slice(0, 24);
  for (const id of ids) pending.delete(id);
  await Promise.all(
    ids.map(async (id) => {
      try {
        const item = await invoke('gallery:get', { id });
        cache.set(id, item);
      } catch {
        cache.set(id, {
          id,
          sha256: '',
          title: `Item ${id}`,
          width: 0,
          height: 0,
          kind: 'generation',
          starred: false,
          rating: 0,
          missing: true,
        });
      }
    }),
  );
  assetsVersion.set((v) => v + 1);
  if (pending.size > 0) timer = setTimeout(() => void flush(), 0);
}

function request(id: number): void {
  if (cache.has(id) || pending.has(id)) return;
  pending.add(id);
  if (timer === null) timer = setTimeout(() => void flush(), 30);
}

/** Summaries for `ids`, fetching the unknown ones; undefined entries are still loading. */
export function useAssets(ids: readonly number[]): (AssetSummary | undefined)[] {
  const version = useStore(assetsVersion, (v) => v);
  const key = ids.join(',');
  useEffect(() => {
    // Also after `forget()` dropped an entry (the version moved): fetch it again.
    for (const id of key === '' ? [] : key.split(',')) request(Number(id));
  }, [key, version]);
  return ids.map((id) => cache.get(id));
}

/** Drops stale entries (after a star, a rating or a delete changed them). */
export function forget(ids: readonly number[]): void {
  for (const id of ids) cache.delete(id);
  assetsVersion.set((v) => v + 1);
}
