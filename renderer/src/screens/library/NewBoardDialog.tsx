/** Names and creates a board. */
import { useId, useState } from 'react';
import { Dialog } from '../../components/ui.tsx';
import { toast } from '../../state/app.ts';
import { createBoard } from '../../state/boards.ts';

export function NewBoardDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
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
