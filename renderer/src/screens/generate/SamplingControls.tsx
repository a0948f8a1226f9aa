/**
 * Generate's denoising steps and sampler (diffusion models), guidance and sampling sliders, each
 * within the model's bounds, CD-K (contrastive decoding) with its own three values, parallel
 * decoding with its window, and a reset to the model's defaults.
 */
import type { ModelView } from '../../../../app/common/contract.ts';
import { DECODING_WINDOW } from '../../../../app/common/inference-contract.ts';
import { parallelDecoding } from '../../../../app/common/parallel-decoding.ts';
import { DenoisingFields } from '../../components/DenoisingFields.tsx';
import { RangeField } from '../../components/ui.tsx';
import { samplingBound, toggleLock, withDecodingWindow } from '../../lib/generate.ts';
import type { Cdk, GenerateSettings, SamplingKey } from '../../lib/settings.ts';
import { updateSettings } from '../../state/app.ts';

const CDK_ON: Cdk = { alpha: 0.5, k: 8, tau: 1 };

function CdkFields({ cdk }: { cdk: Cdk }) {
  return (
    <div className="inline-fields">
      <RangeField
        label="α"
        value={cdk.alpha}
        min={0.01}
        max={1}
        step={0.01}
        onChange={(v) => updateSettings({ cdk: { ...cdk, alpha: v } })}
      />
      <RangeField
        label="k"
        value={cdk.k}
        min={1}
        max={64}
        step={1}
        onChange={(v) => updateSettings({ cdk: { ...cdk, k: Math.round(v) } })}
      />
      <RangeField
        label="τ"
        value={cdk.tau}
        min={0}
        max={10}
        step={0.1}
        onChange={(v) => updateSettings({ cdk: { ...cdk, tau: v } })}
      />
    </div>
  );
}

/** The lock of one sampling value: a locked value is kept when another model is chosen. */
function lockOf(s: GenerateSettings, key: SamplingKey) {
  const locked = s.lockedSampling.includes(key);
  return {
    locked,
    title: locked
      ? 'Locked: kept when you choose another model'
      : "Unlocked: choosing another model starts from that model's default",
    onToggle: () => updateSettings({ lockedSampling: toggleLock(s.lockedSampling, key) }),
    testId: `lock-${key}`,
  };
}

export function SamplingControls({
  settings: s,
  model,
  onReset,
}: {
  settings: GenerateSettings;
  model: ModelView | undefined;
  onReset: () => void;
}) {
  const [tb, kb, pb, cb] = [
    samplingBound(model, 'temperature', [0, 3]),
    samplingBound(model, 'topK', [0, 1000]),
    samplingBound(model, 'topP', [0.05, 1]),
    samplingBound(model, 'cfgScale', [0, 20]),
  ];
  return (
    <>
      <DenoisingFields
        denoising={s.diffusion}
        model={model}
        onChange={(diffusion) => updateSettings({ diffusion })}
      />
      <RangeField
        label="Guidance (CFG)"
        value={s.cfgScale}
        min={cb[0]}
        max={cb[1]}
        step={0.1}
        onChange={(v) => updateSettings({ cfgScale: v })}
        testId="cfg-input"
        lock={lockOf(s, 'cfgScale')}
      />
      <details className="group" open>
        <summary>Sampling</summary>
        <RangeField
          label="Temperature"
          value={s.temperature}
          min={tb[0]}
          max={tb[1]}
          step={0.05}
          onChange={(v) => updateSettings({ temperature: v })}
          hint={s.temperature === 0 ? 'Greedy: always the most likely token' : undefined}
          lock={lockOf(s, 'temperature')}
        />
        <RangeField
          label="Top-k"
          value={s.topK}
          min={kb[0]}
          max={kb[1]}
          step={1}
          onChange={(v) => updateSettings({ topK: Math.round(v) })}
          hint={s.topK === 0 ? '0 = off' : undefined}
          lock={lockOf(s, 'topK')}
        />
        <RangeField
          label="Top-p"
          value={s.topP}
          min={pb[0]}
          max={pb[1]}
          step={0.01}
          onChange={(v) => updateSettings({ topP: v })}
          lock={lockOf(s, 'topP')}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={s.cdk !== null}
            onChange={(e) => updateSettings({ cdk: e.target.checked ? CDK_ON : null })}
          />
          CD-K (contrastive decoding)
        </label>
        {s.cdk !== null ? <CdkFields cdk={s.cdk} /> : null}
        <label className="check">
          <input
            type="checkbox"
            checked={s.decoding !== null}
            data-testid="parallel-decoding"
            onChange={(e) =>
              updateSettings({
                decoding: e.target.checked ? parallelDecoding(model?.family ?? '') : null,
              })
            }
          />
          Parallel decoding (fewer model runs, same distribution)
        </label>
        {s.decoding !== null ? (
          <RangeField
            label="Draft window"
            value={s.decoding.window}
            min={DECODING_WINDOW[0]}
            max={DECODING_WINDOW[1]}
            step={1}
            onChange={(v) =>
              s.decoding !== null && updateSettings({ decoding: withDecodingWindow(s.decoding, v) })
            }
            hint="tokens checked per model run"
          />
        ) : null}
        <button
          type="button"
          className="btn link small"
          onClick={onReset}
          disabled={model === undefined}
        >
          Reset to the model's defaults
        </button>
      </details>
    </>
  );
}
