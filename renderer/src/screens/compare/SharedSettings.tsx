/**
 * How the models are set: each at its own manifest defaults, or all at the same guidance and
 * sampling values (each model holds a value past its own range at its nearest one).
 */
import { useId } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { RangeField } from '../../components/ui.tsx';
import {
  heldModels,
  type SettingsMode,
  type SharedKey,
  type SharedSettings,
} from '../../lib/compare.ts';
import { updateCompareForm } from '../../state/compare.ts';

const SLIDERS: { key: SharedKey; label: string; step: number }[] = [
  { key: 'cfgScale', label: 'Guidance (CFG)', step: 0.1 },
  { key: 'temperature', label: 'Temperature', step: 0.05 },
  { key: 'topK', label: 'Top-k', step: 1 },
  { key: 'topP', label: 'Top-p', step: 0.01 },
];

function ModeChoice({ mode }: { mode: SettingsMode }) {
  const name = useId();
  const choices: { value: SettingsMode; label: string }[] = [
    { value: 'own', label: "Each model's own defaults" },
    { value: 'shared', label: 'The same settings for every model' },
  ];
  return (
    <fieldset className="field compare-mode">
      <legend>Settings</legend>
      {choices.map((c) => (
        <label className="check" key={c.value}>
          <input
            type="radio"
            name={name}
            value={c.value}
            checked={mode === c.value}
            onChange={() => updateCompareForm({ mode: c.value })}
            data-testid={`compare-mode-${c.value}`}
          />
          {c.label}
        </label>
      ))}
    </fieldset>
  );
}

export function SharedSettingsFields({
  mode,
  shared,
  bounds,
  models,
}: {
  mode: SettingsMode;
  shared: SharedSettings;
  bounds: Record<SharedKey, [number, number]>;
  models: readonly ModelView[];
}) {
  const held = mode === 'shared' ? heldModels(models, shared) : [];
  return (
    <>
      <ModeChoice mode={mode} />
      {mode === 'shared'
        ? SLIDERS.map((s) => (
            <RangeField
              key={s.key}
              label={s.label}
              value={shared[s.key]}
              min={bounds[s.key][0]}
              max={bounds[s.key][1]}
              step={s.step}
              testId={`compare-${s.key}`}
              onChange={(v) =>
                updateCompareForm({
                  shared: { ...shared, [s.key]: s.key === 'topK' ? Math.round(v) : v },
                })
              }
            />
          ))
        : null}
      {held.length > 0 ? (
        <div className="hint" data-testid="compare-held">
          Past its own range, {held.join(', ')} will use its nearest value (its recipe says which).
        </div>
      ) : null}
    </>
  );
}
