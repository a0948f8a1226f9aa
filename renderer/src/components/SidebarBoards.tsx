/**
 * The boards in the sidebar: each opens the Library showing that board, and takes library
 * items dropped on it (the dragged item, or the selection it belongs to).
 */
import { useState, type DragEvent } from 'react';
import { invoke } from '../bridge/index.ts';
import { carriesItems, draggedItems } from '../lib/drag.ts';
import { navigate, reportError, toast } from '../state/app.ts';
import { loadBoards, useBoards, type Board } from '../state/boards.ts';
import { setFilters } from '../state/library.ts';
import { Icon } from './Icon.tsx';

async function addToBoard(board: Board, ids: number[]): Promise<void> {
  try {
    await invoke('boards:add', { boardId: board.id, ids });
    void loadBoards();
    toast(`Added ${ids.length} item${ids.length === 1 ? '' : 's'} to “${board.name}”`);
  } catch (err) {
    reportError(`Could not add to the board “${board.name}”`, err);
  }
}

export function SidebarBoards() {
  const boards = useBoards();
  const [over, setOver] = useState<number | null>(null);
  if (boards.length === 0) return null;
  const accept = (e: DragEvent, id: number) => {
    if (!carriesItems(e.dataTransfer)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(id);
  };
  return (
    <div className="sidebar-boards">
      <h2 className="section-label">Boards</h2>
      <ul aria-label="Boards">
        {boards.map((b) => (
          <li key={b.id}>
            <button
              type="button"
              className={`nav-item board-item${over === b.id ? ' drop-target' : ''}`}
              title={`Show “${b.name}” in the Library; drop images here to add them`}
              onClick={() => {
                setFilters({ boardId: b.id });
                navigate('library');
              }}
              onDragEnter={(e) => accept(e, b.id)}
              onDragOver={(e) => accept(e, b.id)}
              onDragLeave={() => setOver((o) => (o === b.id ? null : o))}
              onDrop={(e) => {
                const ids = draggedItems(e.dataTransfer);
                setOver(null);
                if (ids.length === 0) return;
                e.preventDefault();
                void addToBoard(b, ids);
              }}
              data-testid={`sidebar-board-${b.id}`}
            >
              <Icon name="board" size={15} />
              <span className="ellipsis grow">{b.name}</span>
              <span className="count-pill">{b.count}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
