/**
 * Library: full-text search and filters over every image, a virtualised grid with keyset
 * paging, the detail panel, multi-select actions, trash, export and import
 * (docs/studio.md §Library).
 */
import { DetailPanel } from '../../components/detail/DetailPanel.tsx';
import { activeFilterCount } from '../../lib/library-query.ts';
import { exportIds } from '../../lib/library-view.ts';
import { reload } from '../../state/library.ts';
import { modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';
import { ExportDialog } from './ExportDialog.tsx';
import { FilterBar } from './FilterBar.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { LibraryGrid, StatusLine } from './LibraryGrid.tsx';
import { LibraryToolbar } from './LibraryToolbar.tsx';
import { NewBoardDialog } from './NewBoardDialog.tsx';
import { SelectionBar } from './SelectionBar.tsx';
import { addSelectionToBoard, openDetail, starSelection, trashItems } from './useLibraryActions.ts';
import { useLibraryScreen } from './useLibraryScreen.ts';

export function LibraryScreen() {
  const v = useLibraryScreen();
  const models = useStore(modelsStore, (s) => s.models);
  const { filters, selection } = v.state;
  const nFilters = activeFilterCount(filters);
  const toExport = exportIds(selection, v.detailId);
  const close = () => v.setDialog(null);
  return (
    <div className="screen library-screen">
      <div className="library-main">
        <h1 className="sr-only">Library</h1>
        <LibraryToolbar
          filters={filters}
          search={v.search}
          onSearch={v.setSearch}
          showFilters={v.showFilters}
          onToggleFilters={() => v.setShowFilters(!v.showFilters)}
          nFilters={nFilters}
          size={v.size}
          onSize={v.setSize}
          selected={selection.size}
          canExport={toExport.length > 0}
          onImport={() => v.setDialog('import')}
          onExport={() => v.setDialog('export')}
        />
        {v.showFilters ? (
          <FilterBar
            filters={filters}
            nFilters={nFilters}
            modelIds={[...new Set(models.map((m) => m.id))]}
            onNewBoard={() => v.setDialog('board')}
            onClear={() => v.setSearch('')}
          />
        ) : null}
        {selection.size > 1 ? (
          <SelectionBar
            count={selection.size}
            trashed={filters.trashed}
            onStar={(starred) => void starSelection(starred)}
            onBoard={(boardId) => void addSelectionToBoard(boardId)}
            onExport={() => v.setDialog('export')}
            onTrash={() => void trashItems([...selection])}
          />
        ) : null}
        {v.state.stale ? (
          <div className="stale-bar">
            New items were added.{' '}
            <button type="button" className="btn link small" onClick={reload}>
              Refresh
            </button>
          </div>
        ) : null}
        <LibraryGrid state={v.state} size={v.size} cursorId={v.cursorId} onCursor={v.setCursorId} />
        <StatusLine state={v.state} />
      </div>
      {v.detailId !== null ? (
        <DetailPanel
          key={v.detailId}
          id={v.detailId}
          onOpen={(id) => {
            v.setCursorId(id);
            openDetail(id);
          }}
          onClose={() => openDetail(null)}
        />
      ) : null}
      <ExportDialog ids={toExport} open={v.dialog === 'export'} onClose={close} />
      <ImportDialog open={v.dialog === 'import'} onClose={close} />
      <NewBoardDialog open={v.dialog === 'board'} onClose={close} />
    </div>
  );
}
