/** How many images Generate makes, best-of-N ranking, and the board they go to. */
import { useId } from 'react';
import { Field } from '../../components/ui.tsx';
import { clamp, type GenerateSettings } from '../../lib/settings.ts';
import { updateSettings } from '../../state/app.ts';
import { useBoards } from '../../state/boards.ts';

export function BatchFields({ settings: s }: { settings: GenerateSettings }) {
  const boards = useBoards();
  const ids = { count: useId(), bestOf: useId(), board: useId() };
  return (
    <>
      <div className="two-col">
        <Field label="Count" id={ids.count} hint="Images (1–64)">
          <input
            id={ids.count}
            className="num"
            type="number"
            min={1}
            max={64}
            value={s.count}
            onChange={(e) =>
              updateSettings({ count: clamp(Math.round(Number(e.target.value)), 1, 64) })
            }
            data-testid="count-input"
          />
        </Field>
        <Field label="Best of N" id={ids.bestOf} hint="Ranked by self-caption">
          <input
            id={ids.bestOf}
            className="num"
            type="number"
            min={1}
            max={16}
            value={s.bestOf}
            onChange={(e) =>
              updateSettings({ bestOf: clamp(Math.round(Number(e.target.value)), 1, 16) })
            }
            data-testid="bestof-input"
          />
        </Field>
      </div>
      <Field label="Add to board" id={ids.board}>
        <select
          id={ids.board}
          value={s.boardId ?? ''}
          onChange={(e) =>
            updateSettings({ boardId: e.target.value === '' ? null : Number(e.target.value) })
          }
        >
          <option value="">No board</option>
          {boards.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
