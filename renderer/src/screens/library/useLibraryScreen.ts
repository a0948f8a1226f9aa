/**
 * The Library screen's own state: the search box (applied a moment after the last key), the
 * thumbnail size, the grid's cursor, which dialog is open (File › Export… from the desktop menu
 * opens the export dialog), and whether the filters are shown.
 */
import { useEffect, useState } from 'react';
import { activeFilterCount } from '../../lib/library-query.ts';
import type { ThumbSize } from '../../lib/library-view.ts';
import { appStore } from '../../state/app.ts';
import { libraryStore, setFilters, startLibrary } from '../../state/library.ts';
import { useStore } from '../../state/store.ts';

export type LibraryDialog = 'export' | 'import' | 'board' | null;

export function useLibraryScreen() {
  const state = useStore(libraryStore, (s) => s);
  const detailId = useStore(appStore, (s) => s.detailId);
  const exportRequest = useStore(appStore, (s) => s.exportRequest);
  const { filters } = state;
  const [search, setSearch] = useState(filters.text);
  const [size, setSize] = useState<ThumbSize>('M');
  const [cursorId, setCursorId] = useState<number | null>(detailId);
  const [dialog, setDialog] = useState<LibraryDialog>(null);
  const [showFilters, setShowFilters] = useState(activeFilterCount(filters) > 0);

  useEffect(() => {
    startLibrary();
  }, []);

  // File › Export… from the desktop menu: answered once, then cleared.
  useEffect(() => {
    if (exportRequest === 0) return;
    appStore.set((s) => ({ ...s, exportRequest: 0 }));
    setDialog('export');
  }, [exportRequest]);

  // Search as you type, a moment after the last key.
  useEffect(() => {
    if (search === filters.text) return;
    const t = setTimeout(() => setFilters({ text: search }), 250);
    return () => clearTimeout(t);
  }, [search, filters.text]);

  return {
    state,
    detailId,
    search,
    setSearch,
    size,
    setSize,
    cursorId,
    setCursorId,
    dialog,
    setDialog,
    showFilters,
    setShowFilters,
  };
}
