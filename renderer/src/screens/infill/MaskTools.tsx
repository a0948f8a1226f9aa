/**
 * The mask's tools: brush and eraser, undo and redo, brush size and feather, mask all or
 * clear, and, for models that declare prefix completion, "continue from the top".
 */
import type { ModelView } from '../../../../app/common/contract.ts';
import { Icon } from '../../components/Icon.tsx';
import { RangeField } from '../../components/ui.tsx';
import { canRedo, canUndo, pushHistory, redo, undo } from '../../lib/history.ts';
import { BRUSH_MAX, BRUSH_MIN, type InfillSession } from '../../lib/infill.ts';
import type { Stroke } from '../../lib/mask.ts';
import { setInfillSession } from '../../state/infill-session.ts';

/**
 * "Continue from the top" (prefix completion, for models that declare it): masks every model
 * row below the first N, so the model keeps the top and continues the picture downwards.
 */
function ContinueFromTop({
  rows,
  disabled,
  onPick,
}: {
  rows: number;
  disabled: boolean;
  onPick: (keep: number, rows: number) => void;
}) {
  if (rows < 2) return null;
  return (
    <div className="row gap wrap" role="group" aria-label="Continue from the top">
      <span className="muted small-text">Continue from the top, keeping</span>
      {Array.from({ length: rows - 1 }, (_, i) => i + 1).map((keep) => (
        <button
          key={keep}
          type="button"
          className="btn small"
          onClick={() => onPick(keep, rows)}
          disabled={disabled}
          data-testid={`keep-rows-${keep}`}
          title={`Keep the top ${keep} of ${rows} rows and let the model continue the rest`}
        >
          {keep}/{rows}
        </button>
      ))}
    </div>
  );
}

function ToolRow({ session }: { session: InfillSession }) {
  const busy = session.jobId !== null;
  return (
    <div className="field">
      <span className="label">Tool</span>
      <div className="row gap tool-row" role="group" aria-label="Mask tool">
        <button
          type="button"
          className={`btn ${session.tool === 'paint' ? 'active' : ''}`}
          aria-pressed={session.tool === 'paint'}
          onClick={() => setInfillSession({ tool: 'paint' })}
          title="Brush (B)"
          data-testid="tool-brush"
        >
          <Icon name="brush" size={14} /> Brush
        </button>
        <button
          type="button"
          className={`btn ${session.tool === 'erase' ? 'active' : ''}`}
          aria-pressed={session.tool === 'erase'}
          onClick={() => setInfillSession({ tool: 'erase' })}
          title="Eraser (E, or hold Alt)"
          data-testid="tool-eraser"
        >
          <Icon name="eraser" size={14} /> Eraser
        </button>
        <span className="grow" />
        <button
          type="button"
          className="btn icon-only"
          aria-label="Undo"
          title="Undo (Ctrl+Z)"
          disabled={!canUndo(session.history) || busy}
          onClick={() => setInfillSession({ history: undo(session.history) })}
          data-testid="mask-undo"
        >
          <Icon name="undo" size={14} />
        </button>
        <button
          type="button"
          className="btn icon-only"
          aria-label="Redo"
          title="Redo (Ctrl+Shift+Z)"
          disabled={!canRedo(session.history) || busy}
          onClick={() => setInfillSession({ history: redo(session.history) })}
          data-testid="mask-redo"
        >
          <Icon name="redo" size={14} />
        </button>
      </div>
    </div>
  );
}

export function MaskTools({
  session,
  model,
}: {
  session: InfillSession;
  model: ModelView | undefined;
}) {
  const strokes = session.history.present;
  const busy = session.jobId !== null;
  const add = (stroke: Stroke) =>
    setInfillSession({ history: pushHistory(session.history, [...strokes, stroke]) });
  return (
    <>
      <ToolRow session={session} />
      <RangeField
        label="Brush size"
        value={session.brush}
        min={BRUSH_MIN}
        max={BRUSH_MAX}
        step={1}
        onChange={(v) => setInfillSession({ brush: Math.round(v) })}
        hint={`${session.brush} model px · [ ]`}
        testId="brush-size"
      />
      <RangeField
        label="Feather"
        value={session.featherPx}
        min={0}
        max={16}
        step={1}
        onChange={(v) => setInfillSession({ featherPx: Math.round(v) })}
        hint={`${session.featherPx} px blend at the edge`}
        testId="feather-input"
      />
      <div className="row gap">
        <button
          type="button"
          className="btn small"
          onClick={() => add({ mode: 'fill' })}
          disabled={busy}
        >
          <Icon name="fill" size={13} /> Mask all
        </button>
        <button
          type="button"
          className="btn small"
          onClick={() => add({ mode: 'clear' })}
          disabled={busy || strokes.length === 0}
        >
          <Icon name="x" size={13} /> Clear mask
        </button>
      </div>
      {model?.capabilities.prefixCompletion ? (
        <ContinueFromTop
          rows={Math.floor(model.image.height / model.image.cell)}
          disabled={busy}
          onPick={(keep, rows) => add({ mode: 'below', fraction: keep / rows })}
        />
      ) : null}
    </>
  );
}
