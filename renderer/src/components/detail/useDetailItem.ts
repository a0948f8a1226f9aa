/**
 * The item the detail panel shows (`gallery:get` and its lineage), read again when the library
 * says it changed, and the changes made from the panel: star, rating and tags (shown at once,
 * put back if the app refuses), trash and restore.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import type { Lineage } from '../../lib/lineage.ts';
import { reportError, toast } from '../../state/app.ts';
import { libraryStore, patchItem, removeFromView } from '../../state/library.ts';
import { useStore } from '../../state/store.ts';

export interface ItemPatch {
  starred?: boolean;
  rating?: number;
  addTags?: string[];
  removeTags?: string[];
}

export function useDetailItem(id: number, onClose: () => void) {
  const [item, setItem] = useState<ItemDetailView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const changedTick = useStore(libraryStore, (s) => s.changedTick);
  const lastChanged = useStore(libraryStore, (s) => s.lastChanged);

  const load = useCallback(async () => {
    try {
      const [detail, tree] = await Promise.all([
        invoke('gallery:get', { id }),
        invoke('gallery:lineage', { id }).catch(() => null),
      ]);
      setItem(detail);
      setLineage(tree);
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [id]);

  useEffect(() => {
    setItem(null);
    setLineage(null);
    setError(null);
    void load();
  }, [load]);

  useEffect(() => {
    if (changedTick > 0 && lastChanged.includes(id)) void load();
  }, [changedTick, lastChanged, id, load]);

  const update = async (patch: ItemPatch) => {
    if (item === null) return;
    const optimistic = {
      ...item,
      ...(patch.starred !== undefined ? { starred: patch.starred } : {}),
      ...(patch.rating !== undefined ? { rating: patch.rating } : {}),
    };
    setItem(optimistic);
    patchItem(optimistic);
    try {
      await invoke('gallery:update', { ids: [item.id], ...patch });
      if (patch.addTags || patch.removeTags) void load();
    } catch (err) {
      setItem(item);
      patchItem(item);
      reportError('Could not update the item', err);
    }
  };

  const name = item === null ? '' : item.title || `#${item.id}`;
  const trash = async () => {
    try {
      await invoke('gallery:delete', { ids: [id] });
      removeFromView([id]);
      onClose();
      toast(`Moved “${name}” to the trash`, {
        label: 'Undo',
        run: () =>
          void invoke('gallery:restore', { ids: [id] }).catch((err: unknown) =>
            reportError('Could not restore the item', err),
          ),
      });
    } catch (err) {
      reportError('Could not move the item to the trash', err);
    }
  };
  const restore = async () => {
    try {
      await invoke('gallery:restore', { ids: [id] });
      removeFromView([id]);
      onClose();
      toast(`Restored “${name}”`);
    } catch (err) {
      reportError('Could not restore the item', err);
    }
  };

  return { item, error, lineage, load, update, trash, restore };
}
