/** Boards, shared by Generate (auto-add target), the Library filters and the detail panel. */
import { useEffect } from 'react';
import type { ResponseOf } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { reportError } from './app.ts';
import { createStore, useStore } from './store.ts';

export type Board = ResponseOf<'boards:list'>[number];

const boardsStore = createStore<{ boards: Board[]; loaded: boolean }>({
  boards: [],
  loaded: false,
});

export async function loadBoards(): Promise<void> {
  try {
    const boards = await invoke('boards:list', {});
    boardsStore.set({ boards, loaded: true });
  } catch (err) {
    reportError('Could not list the boards', err);
  }
}

export async function createBoard(name: string): Promise<number | null> {
  try {
    const { id } = await invoke('boards:create', { name });
    await loadBoards();
    return id;
  } catch (err) {
    reportError(`Could not create the board “${name}”`, err);
    return null;
  }
}

export function useBoards(): Board[] {
  const state = useStore(boardsStore, (s) => s);
  useEffect(() => {
    if (!state.loaded) void loadBoards();
  }, [state.loaded]);
  return state.boards;
}
