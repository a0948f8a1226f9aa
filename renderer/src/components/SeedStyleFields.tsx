/**
 * The seed (with lock and randomise) and style fields that Generate and Infill both show, so
 * the two screens behave alike: typing a seed locks it, the dice draws a new one.
 */
import { Icon } from './Icon.tsx';
import { Field } from './ui.tsx';
import { clamp, MAX_SEED, randomSeed } from '../lib/settings.ts';

export function StyleField({
  id,
  styles,
  value,
  onChange,
  testId,
}: {
  id: string;
  styles: readonly string[];
  value: string | null;
  onChange: (style: string | null) => void;
  testId?: string;
}) {
  // A model without style tokens has nothing to choose from.
  if (styles.length === 0) return null;
  return (
    <Field label="Style" id={id}>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
        data-testid={testId}
      >
        <option value="">Any style</option>
        {styles.map((st) => (
          <option key={st} value={st}>
            {st}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function SeedField({
  id,
  seed,
  locked,
  onChange,
  testIdPrefix,
  hint,
}: {
  id: string;
  seed: number;
  locked: boolean;
  onChange: (next: { seed?: number; seedLocked?: boolean }) => void;
  /** 'seed' gives seed-input, seed-lock and seed-random */
  testIdPrefix: string;
  hint?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Seed</label>
      <div className="seed-row">
        <input
          id={id}
          className="num grow"
          type="number"
          min={0}
          max={MAX_SEED}
          step={1}
          value={seed}
          onChange={(e) => {
            const v = Math.round(Number(e.target.value));
            if (Number.isFinite(v)) onChange({ seed: clamp(v, 0, MAX_SEED), seedLocked: true });
          }}
          data-testid={`${testIdPrefix}-input`}
        />
        <button
          type="button"
          className={`btn icon-only ${locked ? 'active' : ''}`}
          aria-pressed={locked}
          aria-label={
            locked ? 'Seed locked: every run uses it' : 'Seed unlocked: each run draws a new one'
          }
          title={
            locked ? 'Locked: every run uses this seed' : 'Unlocked: each run draws a new seed'
          }
          onClick={() => onChange({ seedLocked: !locked })}
          data-testid={`${testIdPrefix}-lock`}
        >
          <Icon name={locked ? 'lock' : 'unlock'} />
        </button>
        <button
          type="button"
          className="btn icon-only"
          aria-label="Random seed"
          title="Draw a random seed"
          onClick={() => onChange({ seed: randomSeed() })}
          data-testid={`${testIdPrefix}-random`}
        >
          <Icon name="dice" />
        </button>
      </div>
      {hint === true ? (
        <div className="hint">
          {locked ? 'Locked: runs replay this seed' : 'Each run draws a new seed and shows it here'}
        </div>
      ) : null}
    </div>
  );
}
