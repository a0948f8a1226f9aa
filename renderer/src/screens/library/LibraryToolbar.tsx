/**
 * The Library's toolbar: search as you type, sort, the filters toggle, Starred and Trash,
 * thumbnail size, Import… and Export….
 */
import { useId } from 'react';
import { Icon } from '../../components/Icon.tsx';
import type { LibraryFilters } from '../../lib/library-query.ts';
import { THUMB_SIZE_NAMES, THUMB_SIZES, type ThumbSize } from '../../lib/library-view.ts';
import { setFilters } from '../../state/library.ts';

function SizeSwitch({ size, onSize }: { size: ThumbSize; onSize: (s: ThumbSize) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Thumbnail size">
      {(Object.keys(THUMB_SIZES) as ThumbSize[]).map((s) => (
        <button
          key={s}
          type="button"
          className={size === s ? 'on' : ''}
          aria-pressed={size === s}
          aria-label={`${THUMB_SIZE_NAMES[s]} thumbnails`}
          onClick={() => onSize(s)}
        >
          {s}
        </button>
      ))}
    </div>
  );
}

function SearchBox({ search, onSearch }: { search: string; onSearch: (s: string) => void }) {
  const id = useId();
  return (
    <div className="search-box">
      <Icon name="search" size={15} />
      <label htmlFor={id} className="sr-only">
        Search the library
      </label>
      <input
        id={id}
        type="search"
        value={search}
        onChange={(e) => onSearch(e.target.value)}
        placeholder="Search prompts, captions, tags, models…"
        data-testid="library-search"
        onKeyDown={(e) => {
          if (e.key === 'Enter') setFilters({ text: search });
        }}
      />
    </div>
  );
}

export function LibraryToolbar({
  filters,
  search,
  onSearch,
  showFilters,
  onToggleFilters,
  nFilters,
  size,
  onSize,
  selected,
  canExport,
  onImport,
  onExport,
}: {
  filters: LibraryFilters;
  search: string;
  onSearch: (s: string) => void;
  showFilters: boolean;
  onToggleFilters: () => void;
  nFilters: number;
  size: ThumbSize;
  onSize: (s: ThumbSize) => void;
  selected: number;
  canExport: boolean;
  onImport: () => void;
  onExport: () => void;
}) {
  const sortId = useId();
  return (
    <div className="toolbar" role="search">
      <SearchBox search={search} onSearch={onSearch} />
      <label htmlFor={sortId} className="sr-only">
        Sort
      </label>
      <select
        id={sortId}
        className="compact"
        value={filters.sort}
        onChange={(e) => setFilters({ sort: e.target.value as LibraryFilters['sort'] })}
        data-testid="library-sort"
      >
        <option value="newest">Newest first</option>
        <option value="oldest">Oldest first</option>
        <option value="adherence">Best adherence</option>
        <option value="surprise">Most surprising first</option>
      </select>
      <button
        type="button"
        className={`btn ${showFilters ? 'active' : ''}`}
        aria-expanded={showFilters}
        aria-controls="library-filters"
        onClick={onToggleFilters}
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
      <SizeSwitch size={size} onSize={onSize} />
      <button type="button" className="btn" onClick={onImport} data-testid="import-open">
        <Icon name="import" size={14} /> Import…
      </button>
      <button
        type="button"
        className="btn"
        onClick={onExport}
        disabled={!canExport}
        title={!canExport ? 'Select items to export' : undefined}
        data-testid="export-open"
      >
        <Icon name="export" size={14} /> Export{selected > 1 ? ` ${selected}` : ''}…
      </button>
    </div>
  );
}
