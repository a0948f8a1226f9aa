/**
 * What the Library does to items: star one (shown at once, undone if the app refuses), move
 * to the trash or restore (with an Undo), and star or add the selection to a board.
 */
import type { ItemSummaryView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { trashMessage } from '../../lib/library-view.ts';
import { appStore, reportError, toast } from '../../state/app.ts';
import { loadBoards } from '../../state/boards.ts';
import { libraryStore, patchItem, removeFromView } from '../../state/library.ts';

export function openDetail(id: number | null): void {
  appStore.set((s) => ({ ...s, detailId: id }));
}

export async function starItem(item: ItemSummaryView): Promise<void> {
  const next = { ...item, starred: !item.starred };
  patchItem(next);
  try {
    await invoke('gallery:update', { ids: [item.id], starred: next.starred });
  } catch (err) {
    patchItem(item);
    reportError('Could not change the star', err);
  }
}

/** Moves items to the trash, or, when the trash is shown, restores them. */
export async function trashItems(ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const restoring = libraryStore.get().filters.trashed;
  try {
    if (restoring) await invoke('gallery:restore', { ids });
    else await invoke('gallery:delete', { ids });
    removeFromView(ids);
    const detailId = appStore.get().detailId;
    if (detailId !== null && ids.includes(detailId)) openDetail(null);
    if (restoring) toast(trashMessage(ids.length, true));
    else
      toast(trashMessage(ids.length, false), {
        label: 'Undo',
        run: () =>
          void invoke('gallery:restore', { ids }).catch((err: unknown) =>
            reportError('Could not restore', err),
          ),
      });
  } catch (err) {
    reportError(restoring ? 'Could not restore' : 'Could not move to the trash', err);
  }
}

export async function starSelection(starred: boolean): Promise<void> {
  const chosen = [...libraryStore.get().selection];
  try {
    await invoke('gallery:update', { ids: chosen, starred });
  } catch (err) {
    reportError('Could not update the selection', err);
  }
}

export async function addSelectionToBoard(boardId: number): Promise<void> {
  const chosen = [...libraryStore.get().selection];
  try {
    await invoke('boards:add', { boardId, ids: chosen });
    void loadBoards();
    toast(`Added ${chosen.length} item(s) to the board`);
  } catch (err) {
    reportError('Could not update the selection', err);
  }
}
