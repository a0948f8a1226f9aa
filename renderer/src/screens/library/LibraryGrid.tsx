/**
 * The Library's grid host: image files dragged in from the desktop are imported (as with
 * Import…); the empty view's words; the virtual grid itself; the status line below.
 */
import { useCallback, useState, type DragEvent } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { Empty } from '../../components/ui.tsx';
import { VirtualGrid } from '../../components/VirtualGrid.tsx';
import { carriesFiles } from '../../lib/drag.ts';
import { countLine, emptyView, THUMB_SIZES, type ThumbSize } from '../../lib/library-view.ts';
import { importDroppedFiles } from '../../state/drop-import.ts';
import { list, loadMore, setSelection, type LibraryState } from '../../state/library.ts';
import { openDetail, starItem, trashItems } from './useLibraryActions.ts';

function useFileDrop() {
  const [dropping, setDropping] = useState(false);
  return {
    dropping,
    handlers: {
      onDragOver: (e: DragEvent) => {
        if (!carriesFiles(e.dataTransfer)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      },
      onDragLeave: (e: DragEvent<HTMLElement>) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
      },
      onDrop: (e: DragEvent) => {
        if (!carriesFiles(e.dataTransfer)) return;
        e.preventDefault();
        setDropping(false);
        void importDroppedFiles([...e.dataTransfer.files]);
      },
    },
  };
}

export function LibraryGrid({
  state,
  size,
  cursorId,
  onCursor,
}: {
  state: LibraryState;
  size: ThumbSize;
  cursorId: number | null;
  onCursor: (id: number | null) => void;
}) {
  const { filters, selection } = state;
  const drop = useFileDrop();
  const onLoadMore = useCallback(() => void loadMore(), []);
  const indexOf = useCallback((id: number) => list.index.get(id), []);
  const empty = emptyView(filters);
  return (
    <div
      className={`grid-host${drop.dropping ? ' dropping' : ''}`}
      data-testid="library-drop"
      {...drop.handlers}
    >
      {drop.dropping ? (
        <div className="drop-overlay" aria-hidden="true">
          <Icon name="import" size={22} /> Drop images to import them
        </div>
      ) : null}
      {state.loaded && list.items.length === 0 && !state.loading ? (
        <Empty title={empty.title}>{empty.body}</Empty>
      ) : null}
      <VirtualGrid
        items={list.items}
        version={state.version}
        hasMore={!state.done}
        loading={state.loading}
        onLoadMore={onLoadMore}
        selection={selection}
        activeId={cursorId}
        minCell={THUMB_SIZES[size]}
        indexOf={indexOf}
        label={filters.trashed ? 'Trash' : 'Library items'}
        onOpen={(item) => {
          onCursor(item.id);
          openDetail(item.id);
        }}
        onSelectionChange={(sel, active) => {
          setSelection(sel);
          onCursor(active);
        }}
        onDelete={(toDelete) => void trashItems(toDelete)}
        onStar={(item) => void starItem(item)}
      />
    </div>
  );
}

export function StatusLine({ state }: { state: LibraryState }) {
  return (
    <div className="statusline muted" aria-live="polite">
      {countLine(list.items.length, state.done, state.filters.trashed, state.selection.size)}
      <span className="grow" />
      <span
        className="hide-narrow"
        title="Arrows move · Enter opens · Space selects · Shift/Ctrl+click selects many · S stars · Delete trashes"
      >
        Arrows · Enter · Space · Shift/Ctrl+click · S star · Del trash
      </span>
    </div>
  );
}
