/** The boards an item is on: remove it from one, add it to another, or to a new board. */
import { useId, useState } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { reportError } from '../../state/app.ts';
import { createBoard, loadBoards, useBoards } from '../../state/boards.ts';
import { Icon } from '../Icon.tsx';
import { Section } from './Section.tsx';

function NewBoardForm({
  onCreate,
  onCancel,
}: {
  onCreate: (name: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [name, setName] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onCreate(name.trim());
      }}
    >
      <label htmlFor={id} className="sr-only">
        New board name
      </label>
      <input
        id={id}
        type="text"
        value={name}
        placeholder="New board name"
        onChange={(e) => setName(e.target.value)}
        maxLength={100}
        autoFocus
        data-testid="board-new-name"
      />
      <button type="submit" className="btn small" disabled={name.trim() === ''}>
        Create
      </button>
      <button type="button" className="btn small ghost" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function AddToBoard({
  item,
  onAdd,
  onNew,
}: {
  item: ItemDetailView;
  onAdd: (boardId: number) => void;
  onNew: () => void;
}) {
  const boards = useBoards();
  const id = useId();
  const available = boards.filter((b) => !item.boards.some((x) => x.id === b.id));
  return (
    <div className="inline-form">
      <label htmlFor={id} className="sr-only">
        Add to board
      </label>
      <select
        id={id}
        value=""
        onChange={(e) => {
          if (e.target.value !== '') onAdd(Number(e.target.value));
        }}
        data-testid="board-add"
      >
        <option value="">Add to board…</option>
        {available.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name} ({b.count})
          </option>
        ))}
      </select>
      <button type="button" className="btn small" onClick={onNew} data-testid="board-create">
        <Icon name="plus" size={13} /> New
      </button>
    </div>
  );
}

export function Boards({ item, reload }: { item: ItemDetailView; reload: () => void }) {
  const [creating, setCreating] = useState(false);
  const change = async (op: 'boards:add' | 'boards:remove', boardId: number) => {
    try {
      await invoke(op, { boardId, ids: [item.id] });
      void loadBoards();
      reload();
    } catch (err) {
      reportError(
        op === 'boards:add' ? 'Could not add to the board' : 'Could not remove from the board',
        err,
      );
    }
  };
  const createAndAdd = async (name: string) => {
    const boardId = await createBoard(name);
    if (boardId !== null) await change('boards:add', boardId);
    setCreating(false);
  };
  return (
    <Section title="Boards" count={item.boards.length}>
      <ul className="chips" aria-label="Boards">
        {item.boards.map((b) => (
          <li key={b.id} className="chip board">
            <Icon name="board" size={12} /> {b.name}
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove from board ${b.name}`}
              onClick={() => void change('boards:remove', b.id)}
            >
              <Icon name="x" size={11} />
            </button>
          </li>
        ))}
      </ul>
      {creating ? (
        <NewBoardForm
          onCreate={(name) => void createAndAdd(name)}
          onCancel={() => setCreating(false)}
        />
      ) : (
        <AddToBoard
          item={item}
          onAdd={(boardId) => void change('boards:add', boardId)}
          onNew={() => setCreating(true)}
        />
      )}
    </Section>
  );
}
