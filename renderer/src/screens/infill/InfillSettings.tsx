/**
 * Infill's settings column: where the image comes from, the model and its mask resolution, the
 * mask tools, the prompt, style, seed and guidance, and the button (with what blocks it).
 */
import { useId } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { DenoisingFields } from '../../components/DenoisingFields.tsx';
import { Icon } from '../../components/Icon.tsx';
import { SeedField, StyleField } from '../../components/SeedStyleFields.tsx';
import { Field, RangeField } from '../../components/ui.tsx';
import type { InfillSession, InfillSource } from '../../lib/infill.ts';
import { openInLibrary } from '../../state/app.ts';
import { setInfillSession } from '../../state/infill-session.ts';
import { MaskTools } from './MaskTools.tsx';
import { OpenFileButton } from './OpenFileButton.tsx';

function SourceLine({ item }: { item: InfillSource }) {
  return (
    <div className="muted infill-source" data-testid="infill-source">
      {item.itemId !== null ? (
        <>
          From{' '}
          <button
            type="button"
            className="btn link"
            onClick={() => item.itemId !== null && openInLibrary(item.itemId)}
          >
            #{item.itemId} {item.title}
          </button>
        </>
      ) : (
        <>
          From the file <strong>{item.title}</strong> ({item.width}×{item.height}), not in the
          library: only the result is added
        </>
      )}
    </div>
  );
}

function ModelField({
  session,
  infillers,
  model,
}: {
  session: InfillSession;
  infillers: readonly ModelView[];
  model: ModelView | undefined;
}) {
  const id = useId();
  return (
    <>
      <Field label="Model" id={id}>
        <select
          id={id}
          value={session.modelId}
          onChange={(e) => setInfillSession({ modelId: e.target.value })}
          disabled={session.jobId !== null}
        >
          {infillers.length === 0 ? <option value="">No model can infill</option> : null}
          {infillers.map((m) => (
            <option key={m.id} value={m.id} disabled={!m.usable}>
              {m.name}
            </option>
          ))}
        </select>
      </Field>
      {model !== undefined ? (
        <div className="model-line muted">
          Mask at {model.image.width}×{model.image.height} · method{' '}
          <span className="badge tone-info">{String(model.capabilities.infill)}</span>
        </div>
      ) : null}
    </>
  );
}

export function InfillSettings({
  item,
  session,
  infillers,
  model,
  blocked,
  submitting,
  onSubmit,
}: {
  item: InfillSource;
  session: InfillSession;
  infillers: readonly ModelView[];
  model: ModelView | undefined;
  blocked: string | null;
  submitting: boolean;
  onSubmit: () => void;
}) {
  const ids = { prompt: useId(), seed: useId(), style: useId() };
  return (
    <div className="form-column" aria-label="Infill settings">
      <h1 className="screen-title">Infill</h1>
      <SourceLine item={item} />
      <OpenFileButton label="Open another image file…" className="btn small" />
      <ModelField session={session} infillers={infillers} model={model} />
      <MaskTools session={session} model={model} />
      <Field label="Prompt for the masked region" id={ids.prompt}>
        <textarea
          id={ids.prompt}
          rows={3}
          value={session.prompt}
          onChange={(e) => setInfillSession({ prompt: e.target.value })}
          maxLength={2000}
          data-testid="infill-prompt"
        />
      </Field>
      <StyleField
        id={ids.style}
        styles={model?.styles ?? []}
        value={session.style}
        onChange={(style) => setInfillSession({ style })}
      />
      <SeedField
        id={ids.seed}
        seed={session.seed}
        locked={session.seedLocked}
        onChange={setInfillSession}
        testIdPrefix="infill-seed"
      />
      {model !== undefined ? (
        <RangeField
          label="Guidance (CFG)"
          value={session.cfgScale}
          min={model.sampling.bounds.cfgScale?.[0] ?? 0}
          max={model.sampling.bounds.cfgScale?.[1] ?? 20}
          step={0.1}
          onChange={(v) => setInfillSession({ cfgScale: v })}
        />
      ) : null}
      <DenoisingFields
        denoising={session.denoising}
        model={model}
        onChange={(denoising) => setInfillSession({ denoising })}
        resample={{
          value: session.resample,
          onChange: (resample) => setInfillSession({ resample }),
        }}
      />
      <div className="submit-row">
        <button
          type="button"
          className="btn primary wide"
          onClick={onSubmit}
          disabled={blocked !== null || submitting || session.jobId !== null}
          data-testid="infill-submit"
        >
          <Icon name="infill" /> {submitting ? 'Queuing…' : 'Infill masked region'}
        </button>
        {blocked !== null && session.jobId === null ? <div className="hint">{blocked}</div> : null}
      </div>
    </div>
  );
}
