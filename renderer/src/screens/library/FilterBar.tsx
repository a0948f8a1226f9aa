/** The Library's filters: kind, rating, tag, board (with New board), captioned, model. */
import { useId } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { EMPTY_FILTERS, type LibraryFilters } from '../../lib/library-query.ts';
import { useBoards } from '../../state/boards.ts';
import { setFilters } from '../../state/library.ts';

function TagFilter({ tag }: { tag: string }) {
  const id = useId();
  return (
    <div className="field compact-field">
      <label htmlFor={id}>Tag</label>
      <input
        id={id}
        type="text"
        defaultValue={tag}
        placeholder="any"
        onKeyDown={(e) => {
          if (e.key === 'Enter') setFilters({ tag: e.currentTarget.value });
        }}
        onBlur={(e) => {
          if (e.currentTarget.value !== tag) setFilters({ tag: e.currentTarget.value });
        }}
        data-testid="filter-tag"
      />
    </div>
  );
}

function BoardFilter({ boardId, onNewBoard }: { boardId: number | null; onNewBoard: () => void }) {
  const boards = useBoards();
  const id = useId();
  return (
    <div className="field compact-field">
      <label htmlFor={id}>Board</label>
      <div className="row gap">
        <select
          id={id}
          value={boardId ?? ''}
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
          onClick={onNewBoard}
        >
          <Icon name="plus" size={14} />
        </button>
      </div>
    </div>
  );
}

export function FilterBar({
  filters,
  nFilters,
  modelIds,
  onNewBoard,
  onClear,
}: {
  filters: LibraryFilters;
  nFilters: number;
  modelIds: readonly string[];
  onNewBoard: () => void;
  /** clears the search box too */
  onClear: () => void;
}) {
  const ids = { kind: useId(), rating: useId(), captioned: useId(), model: useId() };
  return (
    <div className="filter-bar" id="library-filters" aria-label="Filters">
      <div className="field compact-field">
        <label htmlFor={ids.kind}>Kind</label>
        <select
          id={ids.kind}
          value={filters.kind}
          onChange={(e) => setFilters({ kind: e.target.value as LibraryFilters['kind'] })}
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
      <TagFilter tag={filters.tag} />
      <BoardFilter boardId={filters.boardId} onNewBoard={onNewBoard} />
      <div className="field compact-field">
        <label htmlFor={ids.captioned}>Captioned</label>
        <select
          id={ids.captioned}
          value={filters.captioned}
          onChange={(e) => setFilters({ captioned: e.target.value as LibraryFilters['captioned'] })}
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
            onClear();
            setFilters({ ...EMPTY_FILTERS, sort: filters.sort });
          }}
        >
          Clear all
        </button>
      ) : null}
    </div>
  );
}
