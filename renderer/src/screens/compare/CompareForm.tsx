/** Compare's form: the prompt, the seed every model shares, how the models are set, and Run. */
import { useId } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { SeedField } from '../../components/SeedStyleFields.tsx';
import { Field } from '../../components/ui.tsx';
import { PROMPT_MAX } from '../../lib/blockers.ts';
import { updateCompareForm } from '../../state/compare.ts';
import { SharedSettingsFields } from './SharedSettings.tsx';
import type { useCompare } from './useCompare.ts';

export function CompareForm({ c }: { c: ReturnType<typeof useCompare> }) {
  const ids = { prompt: useId(), seed: useId(), blocked: useId() };
  const { form } = c;
  const count = c.comparable.length;
  return (
    <form
      className="form-column"
      aria-label="Comparison settings"
      onSubmit={(e) => {
        e.preventDefault();
        void c.submit();
      }}
    >
      <h1 className="screen-title">Compare</h1>
      <p className="hint compare-intro">
        One prompt and seed through every installed model that can generate, side by side.
      </p>
      <Field
        label="Prompt"
        id={ids.prompt}
        hint={
          <span className={form.prompt.length > PROMPT_MAX ? 'bad' : ''}>
            {form.prompt.length}/{PROMPT_MAX}
          </span>
        }
      >
        <textarea
          id={ids.prompt}
          rows={3}
          value={form.prompt}
          placeholder="a red heart"
          onChange={(e) => updateCompareForm({ prompt: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void c.submit();
            }
          }}
          data-testid="compare-prompt"
        />
      </Field>
      <SeedField
        id={ids.seed}
        seed={form.seed}
        locked={form.seedLocked}
        onChange={updateCompareForm}
        testIdPrefix="compare-seed"
        hint
      />
      <SharedSettingsFields
        mode={form.mode}
        shared={c.shared}
        bounds={c.bounds}
        models={c.comparable}
      />
      <div className="hint" data-testid="compare-models">
        {count === 0
          ? 'No installed model can generate.'
          : `Runs ${count} model${count === 1 ? '' : 's'}: ${c.comparable.map((m) => m.name).join(', ')}`}
      </div>
      <div className="submit-row">
        <button
          type="submit"
          className="btn primary wide"
          disabled={c.blocked !== null || c.submitting}
          data-testid="compare-run"
          aria-describedby={c.blocked === null ? undefined : ids.blocked}
        >
          <Icon name="compare" /> {c.submitting ? 'Queuing…' : `Compare ${count} models`}
        </button>
        {c.blocked !== null ? (
          <div id={ids.blocked} className="hint">
            {c.blocked}
          </div>
        ) : null}
      </div>
    </form>
  );
}
