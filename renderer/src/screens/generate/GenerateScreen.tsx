/**
 * Generate: model, prompt, style, seed, guidance and the sampling controls within the model's
 * bounds, count and best-of-N; the live preview with progress and ETA while it runs, and the
 * results as they complete (docs/studio.md §Generate).
 */
import { useId } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { SeedField } from '../../components/SeedStyleFields.tsx';
import { updateSettings } from '../../state/app.ts';
import { BatchFields } from './BatchFields.tsx';
import { GenerateStage } from './GenerateStage.tsx';
import { ModelSection } from './ModelSection.tsx';
import { PromptFields } from './PromptFields.tsx';
import { SamplingControls } from './SamplingControls.tsx';
import { useGenerate } from './useGenerate.ts';

export function GenerateScreen() {
  const g = useGenerate();
  const s = g.settings;
  const seedId = useId();
  return (
    <div className="screen generate-screen">
      <form
        className="form-column"
        aria-label="Generation settings"
        onSubmit={(e) => {
          e.preventDefault();
          void g.submit();
        }}
      >
        <h1 className="screen-title">Generate</h1>
        <ModelSection
          modelId={s.modelId}
          generators={g.generators}
          model={g.model}
          onChoose={g.chooseModel}
        />
        <PromptFields settings={s} model={g.model} />
        <SeedField
          id={seedId}
          seed={s.seed}
          locked={s.seedLocked}
          onChange={updateSettings}
          testIdPrefix="seed"
          hint
        />
        <SamplingControls settings={s} model={g.model} onReset={g.resetSampling} />
        <BatchFields settings={s} />
        <div className="submit-row">
          <button
            type="submit"
            className="btn primary wide"
            disabled={g.blocked !== null || g.submitting}
            data-testid="generate-button"
            aria-describedby={g.blocked === null ? undefined : 'generate-blocked'}
          >
            <Icon name="generate" />{' '}
            {g.submitting ? 'Queuing…' : s.count > 1 ? `Generate ${s.count}` : 'Generate'}
          </button>
          {g.blocked !== null ? (
            <div id="generate-blocked" className="hint">
              {g.blocked}
            </div>
          ) : null}
        </div>
      </form>
      <GenerateStage />
    </div>
  );
}
