/**
 * Infill: a library item, or an image file opened from disk without importing it (only the
 * result goes into the library; its recipe names the file by hash). The image at the model's
 * resolution scaled up, a mask painted with brush and eraser (undo/redo), sent at the MODEL's
 * resolution (one byte per model pixel) with a prompt, seed and feather; then the result staged
 * next to the original: accept, discard, or open its lineage (docs/studio.md §Infill).
 */
import { useMemo } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { Icon } from '../../components/Icon.tsx';
import { Callout, Empty } from '../../components/ui.tsx';
import { infillBlocker } from '../../lib/blockers.ts';
import type { InfillSession, InfillSource } from '../../lib/infill.ts';
import { navigate } from '../../state/app.ts';
import { infillSessionStore } from '../../state/infill-session.ts';
import { canDo, modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';
import { InfillSettings } from './InfillSettings.tsx';
import { MaskCanvas } from './MaskCanvas.tsx';
import { OpenFileButton } from './OpenFileButton.tsx';
import { StagingPane } from './StagingPane.tsx';
import { useInfillDrop } from './useInfillDrop.ts';
import { useInfillJob } from './useInfillJob.ts';
import { useInfillKeys } from './useInfillKeys.ts';
import { useInfillSource } from './useInfillSource.ts';

function MaskHelp({ model }: { model: ModelView | undefined }) {
  return (
    <p className="muted infill-help">
      The mask snaps to the model's {model?.image.width ?? '?'}×{model?.image.height ?? '?'} pixels
      {model !== undefined && model.image.cell > 1
        ? `; the model regenerates every ${model.image.cell}×${model.image.cell} cell you touch (the darker grid), and the result keeps your picture outside what you painted`
        : '; the highlighted squares are exactly what is regenerated'}
      . Hold Alt to erase; B and E switch tools; Ctrl+Z and Ctrl+Shift+Z undo and redo.
    </p>
  );
}

/** The settings, the mask and the staged result, once the source and its session are ready. */
function InfillWorkspace({
  item,
  session,
  infillers,
  drop,
}: {
  item: InfillSource;
  session: InfillSession;
  infillers: readonly ModelView[];
  drop: ReturnType<typeof useInfillDrop>;
}) {
  const model = infillers.find((m) => m.id === session.modelId);
  const run = useInfillJob(item, session, model);
  const blocked = infillBlocker({
    model,
    prompt: session.prompt,
    painted: session.history.present.length > 0,
  });
  return (
    <div
      className={`screen infill-screen${drop.over ? ' drop-target' : ''}`}
      data-testid="infill-drop"
      {...drop.handlers}
    >
      <InfillSettings
        item={item}
        session={session}
        infillers={infillers}
        model={model}
        blocked={blocked}
        submitting={run.submitting}
        onSubmit={() => void run.submit()}
      />
      <section className="stage infill-stage" aria-label="Mask and result">
        <div className="infill-panes">
          <div className="pane">
            <h2 className="section-label">
              {session.jobId === null ? 'Paint the mask' : 'Original and mask'}
            </h2>
            {model !== undefined ? (
              <MaskCanvas model={model} item={item} session={session} />
            ) : null}
          </div>
          {session.jobId !== null ? (
            <StagingPane job={run.job} live={run.jobLive} resultId={run.resultId} act={run.act} />
          ) : null}
        </div>
        <MaskHelp model={model} />
      </section>
    </div>
  );
}

export function InfillScreen() {
  const session = useStore(infillSessionStore, (s) => s);
  const models = useStore(modelsStore, (s) => s.models);
  const infillers = useMemo(() => models.filter((m) => canDo(m, 'infill')), [models]);
  const drop = useInfillDrop();
  const { nothing, item, error } = useInfillSource(infillers);
  useInfillKeys();

  if (nothing)
    return (
      <div
        className={`screen${drop.over ? ' drop-target' : ''}`}
        data-testid="infill-drop"
        {...drop.handlers}
      >
        <Empty title="Nothing to infill">
          Open an image in the Library and choose “Infill…” (or drag it here), or infill an image
          file without adding it to the library.
          <div className="row gap empty-actions">
            <button type="button" className="btn" onClick={() => navigate('library')}>
              <Icon name="library" size={14} /> Go to the Library
            </button>
            <OpenFileButton label="Open an image file…" className="btn primary" />
          </div>
        </Empty>
      </div>
    );
  if (error !== null)
    return (
      <div className="screen scroll-page">
        <Callout tone="error" title="Could not open the image">
          {error} Pick another image in the Library.
        </Callout>
      </div>
    );
  if (item === null || session === null || session.sourceKey !== item.key)
    return <div className="screen pad muted">Loading…</div>;
  return <InfillWorkspace item={item} session={session} infillers={infillers} drop={drop} />;
}
