/**
 * Library: full-text search and filters over every image, a virtualised grid with keyset
 * paging, the detail panel, multi-select actions, trash, export and import
 * (docs/studio.md §Library).
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { ItemSummaryView, ResponseOf } from '../../../app/common/contract.ts';
import { dialogs, downloads, invoke } from '../bridge/index.ts';
import { DetailPanel } from '../components/DetailPanel.tsx';
import { Icon } from '../components/Icon.tsx';
import { Callout, Dialog, Empty } from '../components/ui.tsx';
import { VirtualGrid } from '../components/VirtualGrid.tsx';
import { WebFolderNote } from '../components/WebFolderNote.tsx';
import { carriesFiles } from '../lib/drag.ts';
import { activeFilterCount, EMPTY_FILTERS } from '../lib/library-query.ts';
import { appStore, reportError, toast } from '../state/app.ts';
import {
  libraryStore,
  list,
  loadMore,
  patchItem,
  reload,
  removeFromView,
  setFilters,
  setSelection,
  startLibrary,
} from '../state/library.ts';
import { modelsStore } from '../state/models.ts';
import { useStore } from '../state/store.ts';
import { createBoard, loadBoards, useBoards } from '../state/boards.ts';
import { importDroppedFiles } from '../state/drop-import.ts';

const SIZES = { S: 96, M: 140, L: 208 } as const;
type Size = keyof typeof SIZES;

let handledExport = 0;

function openDetail(id: number | null) {
  appStore.set((s) => ({ ...s, detailId: id }));
}

function ExportDialog({
  ids,
  open,
  onClose,
}: {
  ids: number[];
  open: boolean;
  onClose: () => void;
}) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ResponseOf<'gallery:export'> | null>(null);
  const id = useId();
  useEffect(() => {
    if (open) setResult(null);
  }, [open]);
  const download = async () => {
    setBusy(true);
    try {
      const count = await downloads.exportZip(ids);
      toast(`Downloading a zip of ${count} file(s)`);
      onClose();
    } catch (err) {
      reportError('Could not export', err);
    } finally {
      setBusy(false);
    }
  };
  const run = async () => {
    setBusy(true);
    try {
      const r = await invoke('gallery:export', { ids, to: to.trim() });
      setResult(r);
      toast(`Exported ${r.files.length} file(s) to ${r.to}`);
    } catch (err) {
      reportError('Could not export', err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={`Export ${ids.length} item${ids.length === 1 ? '' : 's'}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {result ? 'Close' : 'Cancel'}
          </button>
          {downloads.available() ? (
            <button
              type="button"
              className="btn primary"
              disabled={busy || ids.length === 0}
              onClick={() => void download()}
              data-testid="export-download"
            >
              <Icon name="export" size={14} /> Download .zip
            </button>
          ) : null}
          <button
            type="button"
            className={downloads.available() ? 'btn' : 'btn primary'}
            disabled={to.trim() === '' || busy || ids.length === 0}
            onClick={() => void run()}
            data-testid="export-run"
          >
            <Icon name="export" size={14} /> {busy ? 'Exporting…' : 'Export'}
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={id}>Destination folder, or a path ending in .zip</label>
        <input
          id={id}
          type="text"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          placeholder="/home/me/Pictures/tessera-export   or   /home/me/hearts.zip"
          autoFocus
          data-testid="export-path"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && to.trim() !== '') void run();
          }}
        />
        <div className="hint">
          PNGs keep their prompt and settings (AUTOMATIC1111 “parameters” and Tessera's recipe).
        </div>
        {dialogs.available() ? (
          <div className="row gap">
            <button
              type="button"
              className="btn small"
              onClick={() =>
                void dialogs
                  .folder('Export to folder', 'Export here')
                  .then((p) => p !== null && setTo(p))
                  .catch((err: unknown) => reportError('Could not open the folder picker', err))
              }
            >
              <Icon name="folder" size={13} /> Choose folder…
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() =>
                void dialogs
                  .zip('tessera-export.zip')
                  .then((p) => p !== null && setTo(p))
                  .catch((err: unknown) => reportError('Could not open the save dialog', err))
              }
            >
              <Icon name="export" size={13} /> Save as .zip…
            </button>
          </div>
        ) : (
          <WebFolderNote />
        )}
      </div>
      {result ? (
        <Callout tone="info" title={`Wrote ${result.files.length} file(s) to ${result.to}`}>
          <div className="mono file-names">{result.files.slice(0, 20).join('\n')}</div>
          {result.files.length > 20 ? <div>…and {result.files.length - 20} more</div> : null}
        </Callout>
      ) : null}
    </Dialog>
  );
}

function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [paths, setPaths] = useState('');
  const [recursive, setRecursive] = useState(true);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ResponseOf<'gallery:import'> | null>(null);
  const id = useId();
  useEffect(() => {
    if (open) setResult(null);
  }, [open]);
  const list = paths
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const run = async () => {
    setBusy(true);
    try {
      const r = await invoke('gallery:import', { paths: list, recursive });
      setResult(r);
      const imported = r.filter((x) => x.status === 'imported').length;
      toast(`Imported ${imported} image(s)`);
      if (imported > 0) reload();
    } catch (err) {
      reportError('Could not import', err);
    } finally {
      setBusy(false);
    }
  };
  const counts = result
    ? {
        imported: result.filter((r) => r.status === 'imported').length,
        exists: result.filter((r) => r.status === 'exists').length,
        failed: result.filter((r) => r.status === 'failed'),
      }
    : null;
  return (
    <Dialog
      open={open}
      title="Import images"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {result ? 'Close' : 'Cancel'}
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={list.length === 0 || busy}
            onClick={() => void run()}
            data-testid="import-run"
          >
            <Icon name="import" size={14} /> {busy ? 'Importing…' : `Import ${list.length || ''}`}
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={id}>Files or folders, one path per line</label>
        <textarea
          id={id}
          rows={5}
          value={paths}
          onChange={(e) => setPaths(e.target.value)}
          placeholder={'/home/me/Pictures/holiday\n/home/me/Downloads/cat.png'}
          autoFocus
          data-testid="import-paths"
        />
        <div className="hint">
          Images are recognised by their content, not their extension. Files stay where they are;
          Tessera keeps its own copy.
        </div>
        {dialogs.available() ? (
          <div className="row gap">
            <button
              type="button"
              className="btn small"
              onClick={() =>
                void dialogs
                  .files('Import images')
                  .then(
                    (ps) =>
                      ps.length > 0 &&
                      setPaths((cur) => [cur.trim(), ...ps].filter(Boolean).join('\n')),
                  )
                  .catch((err: unknown) => reportError('Could not open the file picker', err))
              }
            >
              <Icon name="import" size={13} /> Add files…
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() =>
                void dialogs
                  .folder('Import a folder', 'Import')
                  .then(
                    (p) =>
                      p !== null && setPaths((cur) => [cur.trim(), p].filter(Boolean).join('\n')),
                  )
                  .catch((err: unknown) => reportError('Could not open the folder picker', err))
              }
            >
              <Icon name="folder" size={13} /> Add folder…
            </button>
          </div>
        ) : (
          <WebFolderNote />
        )}
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={recursive}
          onChange={(e) => setRecursive(e.target.checked)}
        />
        Include sub-folders
      </label>
      {counts ? (
        <div className="import-result" data-testid="import-result">
          <div>
            <span className="badge tone-ok">{counts.imported} imported</span>{' '}
            <span className="badge">{counts.exists} already in the library</span>{' '}
            {counts.failed.length > 0 ? (
              <span className="badge tone-bad">{counts.failed.length} failed</span>
            ) : null}
          </div>
          {counts.failed.length > 0 ? (
            <ul className="failed-list">
              {counts.failed.slice(0, 50).map((f) => (
                <li key={f.path}>
                  <span className="mono">{f.path}</span>
                  <span className="muted"> — {f.message ?? 'could not be read'}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}

function NewBoardDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const id = useId();
  const create = async () => {
    const boardId = await createBoard(name.trim());
    if (boardId !== null) {
      setName('');
      onClose();
      toast(`Created the board “${name.trim()}”`);
    }
  };
  return (
    <Dialog
      open={open}
      title="New board"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={name.trim() === ''}
            onClick={() => void create()}
          >
            Create board
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={id}>Name</label>
        <input
          id={id}
          type="text"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && name.trim() !== '') void create();
          }}
          autoFocus
        />
      </div>
    </Dialog>
  );
}

export function LibraryScreen() {
  const state = useStore(libraryStore, (s) => s);
  const detailId = useStore(appStore, (s) => s.detailId);
  const models = useStore(modelsStore, (s) => s.models);
  const boards = useBoards();
  const { filters, selection } = state;
  const [search, setSearch] = useState(filters.text);
  const [size, setSize] = useState<Size>('M');
  const [cursorId, setCursorId] = useState<number | null>(detailId);
  const [dialog, setDialog] = useState<'export' | 'import' | 'board' | null>(null);
  const [showFilters, setShowFilters] = useState(activeFilterCount(filters) > 0);
  const [dropping, setDropping] = useState(false);
  const ids = {
    search: useId(),
    kind: useId(),
    rating: useId(),
    tag: useId(),
    board: useId(),
    captioned: useId(),
    model: useId(),
    sort: useId(),
  };

  useEffect(() => {
    startLibrary();
  }, []);

  // File › Export… from the desktop menu.
  const exportRequest = useStore(appStore, (s) => s.exportRequest);
  useEffect(() => {
    if (exportRequest > handledExport) {
      handledExport = exportRequest;
      setDialog('export');
    }
  }, [exportRequest]);

  // Search as you type, a moment after the last key.
  useEffect(() => {
    if (search === filters.text) return;
    const t = setTimeout(() => setFilters({ text: search }), 250);
    return () => clearTimeout(t);
  }, [search, filters.text]);

  const onLoadMore = useCallback(() => void loadMore(), []);
  const indexOf = useCallback((id: number) => list.index.get(id), []);

  const star = async (item: ItemSummaryView) => {
    const next = { ...item, starred: !item.starred };
    patchItem(next);
    try {
      await invoke('gallery:update', { ids: [item.id], starred: next.starred });
    } catch (err) {
      patchItem(item);
      reportError('Could not change the star', err);
    }
  };

  const trash = async (idsToDelete: number[]) => {
    if (idsToDelete.length === 0) return;
    const restoring = filters.trashed;
    try {
      if (restoring) await invoke('gallery:restore', { ids: idsToDelete });
      else await invoke('gallery:delete', { ids: idsToDelete });
      removeFromView(idsToDelete);
      if (detailId !== null && idsToDelete.includes(detailId)) openDetail(null);
      const n = idsToDelete.length;
      if (restoring) toast(`Restored ${n} item${n === 1 ? '' : 's'}`);
      else
        toast(`Moved ${n} item${n === 1 ? '' : 's'} to the trash`, {
          label: 'Undo',
          run: () =>
            void invoke('gallery:restore', { ids: idsToDelete }).catch((err: unknown) =>
              reportError('Could not restore', err),
            ),
        });
    } catch (err) {
      reportError(restoring ? 'Could not restore' : 'Could not move to the trash', err);
    }
  };

  const bulk = async (patch: { starred?: boolean }, boardId?: number) => {
    const chosen = [...selection];
    try {
      if (boardId !== undefined) {
        await invoke('boards:add', { boardId, ids: chosen });
        void loadBoards();
        toast(`Added ${chosen.length} item(s) to the board`);
      } else await invoke('gallery:update', { ids: chosen, ...patch });
    } catch (err) {
      reportError('Could not update the selection', err);
    }
  };

  const count = list.items.length;
  const nFilters = activeFilterCount(filters);
  const exportIds = selection.size > 0 ? [...selection] : detailId !== null ? [detailId] : [];
  const modelIds = [...new Set(models.map((m) => m.id))];

  return (
    <div className="screen library-screen">
      <div className="library-main">
        <h1 className="sr-only">Library</h1>
        <div className="toolbar" role="search">
          <div className="search-box">
            <Icon name="search" size={15} />
            <label htmlFor={ids.search} className="sr-only">
              Search the library
            </label>
            <input
              id={ids.search}
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Search prompts, captions, tags, models…"
              data-testid="library-search"
              onKeyDown={(e) => {
                if (e.key === 'Enter') setFilters({ text: search });
              }}
            />
          </div>
          <label htmlFor={ids.sort} className="sr-only">
            Sort
          </label>
          <select
            id={ids.sort}
            className="compact"
            value={filters.sort}
            onChange={(e) => setFilters({ sort: e.target.value as typeof filters.sort })}
            data-testid="library-sort"
          >
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
            <option value="adherence">Best adherence</option>
          </select>
          <button
            type="button"
            className={`btn ${showFilters ? 'active' : ''}`}
            aria-expanded={showFilters}
            aria-controls="library-filters"
            onClick={() => setShowFilters(!showFilters)}
            data-testid="filters-toggle"
          >
            <Icon name="filter" size={14} /> Filters{nFilters > 0 ? ` (${nFilters})` : ''}
          </button>
          <button
            type="button"
            className={`btn ${filters.starred ? 'active' : ''}`}
            aria-pressed={filters.starred}
            onClick={() => setFilters({ starred: !filters.starred })}
            data-testid="filter-starred"
          >
            <Icon name="star" size={14} filled={filters.starred} /> Starred
          </button>
          <button
            type="button"
            className={`btn ${filters.trashed ? 'active' : ''}`}
            aria-pressed={filters.trashed}
            onClick={() => setFilters({ trashed: !filters.trashed })}
            data-testid="filter-trash"
          >
            <Icon name="trash" size={14} /> Trash
          </button>
          <span className="grow" />
          <div className="segmented" role="group" aria-label="Thumbnail size">
            {(Object.keys(SIZES) as Size[]).map((s) => (
              <button
                key={s}
                type="button"
                className={size === s ? 'on' : ''}
                aria-pressed={size === s}
                aria-label={`${s === 'S' ? 'Small' : s === 'M' ? 'Medium' : 'Large'} thumbnails`}
                onClick={() => setSize(s)}
              >
                {s}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="btn"
            onClick={() => setDialog('import')}
            data-testid="import-open"
          >
            <Icon name="import" size={14} /> Import…
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => setDialog('export')}
            disabled={exportIds.length === 0}
            title={exportIds.length === 0 ? 'Select items to export' : undefined}
            data-testid="export-open"
          >
            <Icon name="export" size={14} /> Export{selection.size > 1 ? ` ${selection.size}` : ''}…
          </button>
        </div>
        {showFilters ? (
          <div className="filter-bar" id="library-filters" aria-label="Filters">
            <div className="field compact-field">
              <label htmlFor={ids.kind}>Kind</label>
              <select
                id={ids.kind}
                value={filters.kind}
                onChange={(e) => setFilters({ kind: e.target.value as typeof filters.kind })}
              >
                <option value="">All</option>
                <option value="generation">Generated</option>
                <option value="photo">Photos</option>
              </select>
            </div>
            <div className="field compact-field">
              <label htmlFor={ids.rating}>Min rating</label>
              <select
                id={ids.rating}
                value={filters.minRating}
                onChange={(e) => setFilters({ minRating: Number(e.target.value) })}
              >
                <option value={0}>Any</option>
                {[1, 2, 3, 4, 5].map((n) => (
                  <option key={n} value={n}>
                    {'★'.repeat(n)} {n}+
                  </option>
                ))}
              </select>
            </div>
            <div className="field compact-field">
              <label htmlFor={ids.tag}>Tag</label>
              <input
                id={ids.tag}
                type="text"
                defaultValue={filters.tag}
                placeholder="any"
                onKeyDown={(e) => {
                  if (e.key === 'Enter') setFilters({ tag: e.currentTarget.value });
                }}
                onBlur={(e) => {
                  if (e.currentTarget.value !== filters.tag)
                    setFilters({ tag: e.currentTarget.value });
                }}
                data-testid="filter-tag"
              />
            </div>
            <div className="field compact-field">
              <label htmlFor={ids.board}>Board</label>
              <div className="row gap">
                <select
                  id={ids.board}
                  value={filters.boardId ?? ''}
                  onChange={(e) =>
                    setFilters({ boardId: e.target.value === '' ? null : Number(e.target.value) })
                  }
                  data-testid="filter-board"
                >
                  <option value="">All boards</option>
                  {boards.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.name} ({b.count})
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="btn icon-only"
                  aria-label="New board"
                  title="New board"
                  onClick={() => setDialog('board')}
                >
                  <Icon name="plus" size={14} />
                </button>
              </div>
            </div>
            <div className="field compact-field">
              <label htmlFor={ids.captioned}>Captioned</label>
              <select
                id={ids.captioned}
                value={filters.captioned}
                onChange={(e) =>
                  setFilters({ captioned: e.target.value as typeof filters.captioned })
                }
              >
                <option value="">Either</option>
                <option value="yes">Captioned</option>
                <option value="no">Not captioned</option>
              </select>
            </div>
            <div className="field compact-field">
              <label htmlFor={ids.model}>Model</label>
              <select
                id={ids.model}
                value={filters.modelId}
                onChange={(e) => setFilters({ modelId: e.target.value })}
              >
                <option value="">Any model</option>
                {modelIds.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
            {nFilters > 0 ? (
              <button
                type="button"
                className="btn link small clear-filters"
                onClick={() => {
                  setSearch('');
                  setFilters({ ...EMPTY_FILTERS, sort: filters.sort });
                }}
              >
                Clear all
              </button>
            ) : null}
          </div>
        ) : null}
        {selection.size > 1 ? (
          <div className="selection-bar" role="region" aria-label="Selection">
            <strong>{selection.size} selected</strong>
            <button
              type="button"
              className="btn small"
              onClick={() => void bulk({ starred: true })}
            >
              <Icon name="star" size={13} /> Star
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() => void bulk({ starred: false })}
            >
              Unstar
            </button>
            <label className="sr-only" htmlFor="bulk-board">
              Add the selection to a board
            </label>
            <select
              id="bulk-board"
              className="compact"
              value=""
              onChange={(e) => {
                if (e.target.value !== '') void bulk({}, Number(e.target.value));
              }}
            >
              <option value="">Add to board…</option>
              {boards.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
            <button type="button" className="btn small" onClick={() => setDialog('export')}>
              <Icon name="export" size={13} /> Export
            </button>
            <button
              type="button"
              className="btn small danger"
              onClick={() => void trash([...selection])}
            >
              <Icon name={filters.trashed ? 'restore' : 'trash'} size={13} />{' '}
              {filters.trashed ? 'Restore' : 'Delete'}
            </button>
            <span className="grow" />
            <button
              type="button"
              className="btn small ghost"
              onClick={() => setSelection(new Set())}
            >
              Clear selection
            </button>
          </div>
        ) : null}
        {state.stale ? (
          <div className="stale-bar">
            New items were added.{' '}
            <button type="button" className="btn link small" onClick={reload}>
              Refresh
            </button>
          </div>
        ) : null}
        <div
          className={`grid-host${dropping ? ' dropping' : ''}`}
          data-testid="library-drop"
          // Image files dragged in from the desktop are imported, as with Import….
          onDragOver={(e) => {
            if (!carriesFiles(e.dataTransfer)) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
            setDropping(true);
          }}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
          }}
          onDrop={(e) => {
            if (!carriesFiles(e.dataTransfer)) return;
            e.preventDefault();
            setDropping(false);
            void importDroppedFiles([...e.dataTransfer.files]);
          }}
        >
          {dropping ? (
            <div className="drop-overlay" aria-hidden="true">
              <Icon name="import" size={22} /> Drop images to import them
            </div>
          ) : null}
          {state.loaded && count === 0 && !state.loading ? (
            <Empty
              title={
                filters.trashed
                  ? 'The trash is empty'
                  : nFilters > 0 || filters.text !== ''
                    ? 'Nothing matches'
                    : 'The library is empty'
              }
            >
              {filters.trashed
                ? 'Deleted images wait here for 30 days.'
                : nFilters > 0 || filters.text !== ''
                  ? 'Try fewer filters or other words.'
                  : 'Generate an image, or import a folder of pictures.'}
            </Empty>
          ) : null}
          <VirtualGrid
            items={list.items}
            version={state.version}
            hasMore={!state.done}
            loading={state.loading}
            onLoadMore={onLoadMore}
            selection={selection}
            activeId={cursorId}
            minCell={SIZES[size]}
            indexOf={indexOf}
            label={filters.trashed ? 'Trash' : 'Library items'}
            onOpen={(item) => {
              setCursorId(item.id);
              openDetail(item.id);
            }}
            onSelectionChange={(sel, active) => {
              setSelection(sel);
              setCursorId(active);
            }}
            onDelete={(toDelete) => void trash(toDelete)}
            onStar={(item) => void star(item)}
          />
        </div>
        <div className="statusline muted" aria-live="polite">
          {count.toLocaleString('en-US')}
          {state.done ? '' : '+'} item{count === 1 ? '' : 's'}
          {filters.trashed ? ' in the trash' : ''}
          {selection.size > 0 ? ` · ${selection.size} selected` : ''}
          <span className="grow" />
          <span
            className="hide-narrow"
            title="Arrows move · Enter opens · Space selects · Shift/Ctrl+click selects many · S stars · Delete trashes"
          >
            Arrows · Enter · Space · Shift/Ctrl+click · S star · Del trash
          </span>
        </div>
      </div>
      {detailId !== null ? (
        <DetailPanel
          key={detailId}
          id={detailId}
          onOpen={(id) => {
            setCursorId(id);
            openDetail(id);
          }}
          onClose={() => openDetail(null)}
        />
      ) : null}
      <ExportDialog ids={exportIds} open={dialog === 'export'} onClose={() => setDialog(null)} />
      <ImportDialog open={dialog === 'import'} onClose={() => setDialog(null)} />
      <NewBoardDialog open={dialog === 'board'} onClose={() => setDialog(null)} />
    </div>
  );
}
