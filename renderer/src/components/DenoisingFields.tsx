/**
 * A diffusion model's Steps and Sampler, within what its manifest declares (the model list's
 * `sampling.diffusion`), and for infill RePaint's resampling count; a model without that block
 * shows none of them. Generate and Infill share it, each keeping the values in its own state.
 */
import { useId } from 'react';
import type { ModelView } from '../../../app/common/contract.ts';
import { MAX_RESAMPLE } from '../../../app/common/diffusion-settings.ts';
import { DIFFUSION_SAMPLER_LABELS } from '../../../app/common/recipe.ts';
import { denoisingFor } from '../lib/generate.ts';
import type { Denoising } from '../lib/settings.ts';
import { Field, RangeField } from './ui.tsx';

export function DenoisingFields({
  denoising,
  model,
  onChange,
  resample,
}: {
  denoising: Denoising | null;
  model: ModelView | undefined;
  onChange: (d: Denoising) => void;
  /** infill only: how often each step is retaken so the hole agrees with what surrounds it */
  resample?: { value: number; onChange: (r: number) => void };
}) {
  const id = useId();
  const d = model?.sampling.diffusion;
  if (d === undefined) return null;
  // What a job would run with: steps pulled into this model's bounds, a sampler it has.
  const cur =
    denoisingFor(denoising, { sampling: { ...model!.sampling, diffusion: d } }) ?? d.defaults;
  return (
    <>
      <RangeField
        label="Steps"
        value={cur.steps}
        min={d.bounds.steps[0]}
        max={d.bounds.steps[1]}
        step={1}
        onChange={(v) => onChange({ ...cur, steps: Math.round(v) })}
        hint={`denoising steps, ${d.bounds.steps[0]} – ${d.bounds.steps[1]} (default ${d.defaults.steps})`}
        testId="steps-input"
      />
      <Field label="Sampler" id={id}>
        <select
          id={id}
          value={cur.sampler}
          onChange={(e) => onChange({ ...cur, sampler: e.target.value as Denoising['sampler'] })}
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
      {resample !== undefined ? (
        <RangeField
          label="Resample"
          value={resample.value}
          min={1}
          max={MAX_RESAMPLE}
          step={1}
          onChange={(v) => resample.onChange(Math.round(v))}
          hint={`passes per step, 1 – ${MAX_RESAMPLE}`}
          testId="resample-input"
        />
      ) : null}
    </>
  );
}
