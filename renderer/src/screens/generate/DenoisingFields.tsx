/**
 * A diffusion model's Steps and Sampler, within what its manifest declares (the model list's
 * `sampling.diffusion`); a model without that block shows neither.
 */
import { useId } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { DIFFUSION_SAMPLER_LABELS } from '../../../../app/common/recipe.ts';
import { Field, RangeField } from '../../components/ui.tsx';
import type { Denoising } from '../../lib/settings.ts';
import { updateSettings } from '../../state/app.ts';

export function DenoisingFields({
  denoising,
  model,
}: {
  denoising: Denoising | null;
  model: ModelView | undefined;
}) {
  const id = useId();
  const d = model?.sampling.diffusion;
  if (d === undefined) return null;
  const cur = denoising ?? d.defaults;
  return (
    <>
      <RangeField
        label="Steps"
        value={cur.steps}
        min={d.bounds.steps[0]}
        max={d.bounds.steps[1]}
        step={1}
        onChange={(v) => updateSettings({ diffusion: { ...cur, steps: Math.round(v) } })}
        hint={`denoising steps, ${d.bounds.steps[0]} – ${d.bounds.steps[1]} (default ${d.defaults.steps})`}
        testId="steps-input"
      />
      <Field label="Sampler" id={id}>
        <select
          id={id}
          value={cur.sampler}
          onChange={(e) =>
            updateSettings({
              diffusion: { ...cur, sampler: e.target.value as Denoising['sampler'] },
            })
          }
          data-testid="sampler-select"
        >
          {d.samplers.map((s) => (
            <option key={s} value={s}>
              {DIFFUSION_SAMPLER_LABELS[s]}
              {s === d.defaults.sampler ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
