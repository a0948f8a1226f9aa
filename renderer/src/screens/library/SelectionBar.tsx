/** What to do with several selected items: star, unstar, add to a board, export, delete. */
import { Icon } from '../../components/Icon.tsx';
import { useBoards } from '../../state/boards.ts';
import { setSelection } from '../../state/library.ts';

export function SelectionBar({
  count,
  trashed,
  onStar,
  onBoard,
  onExport,
  onTrash,
}: {
  count: number;
  trashed: boolean;
  onStar: (starred: boolean) => void;
  onBoard: (boardId: number) => void;
  onExport: () => void;
  onTrash: () => void;
}) {
  const boards = useBoards();
  return (
    <div className="selection-bar" role="region" aria-label="Selection">
      <strong>{count} selected</strong>
      <button type="button" className="btn small" onClick={() => onStar(true)}>
        <Icon name="star" size={13} /> Star
      </button>
      <button type="button" className="btn small" onClick={() => onStar(false)}>
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
          if (e.target.value !== '') onBoard(Number(e.target.value));
        }}
      >
        <option value="">Add to board…</option>
        {boards.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </select>
      <button type="button" className="btn small" onClick={onExport}>
        <Icon name="export" size={13} /> Export
      </button>
      <button type="button" className="btn small danger" onClick={onTrash}>
        <Icon name={trashed ? 'restore' : 'trash'} size={13} /> {trashed ? 'Restore' : 'Delete'}
      </button>
      <span className="grow" />
      <button type="button" className="btn small ghost" onClick={() => setSelection(new Set())}>
        Clear selection
      </button>
    </div>
  );
}
