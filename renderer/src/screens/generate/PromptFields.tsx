/** Generate's prompt, negative prompt, style and (for models with a memory) Model memory. */
import { useId } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { StyleField } from '../../components/SeedStyleFields.tsx';
import { Field } from '../../components/ui.tsx';
import { PROMPT_MAX } from '../../lib/blockers.ts';
import type { GenerateSettings } from '../../lib/settings.ts';
import { updateSettings } from '../../state/app.ts';
import { hasMemory } from '../../state/models.ts';
import { PromptCheckLine } from './PromptCheck.tsx';

const MEMORY_HINT =
  'Give the model the training emoji closest to your prompt as a reference (CM3Leon retrieval)';

export function PromptFields({
  settings: s,
  model,
}: {
  settings: GenerateSettings;
  model: ModelView | undefined;
}) {
  const ids = { prompt: useId(), negative: useId(), style: useId(), memory: useId() };
  return (
    <>
      <Field
        label="Prompt"
        id={ids.prompt}
        hint={
          <span className={s.prompt.length > PROMPT_MAX ? 'bad' : ''}>
            {s.prompt.length}/{PROMPT_MAX} · Ctrl+Enter to generate
          </span>
        }
      >
        <textarea
          id={ids.prompt}
          rows={4}
          value={s.prompt}
          placeholder="a red heart with a white sparkle"
          onChange={(e) => updateSettings({ prompt: e.target.value })}
          data-testid="prompt-input"
        />
      </Field>
      <PromptCheckLine modelId={model?.id} prompt={s.prompt} style={s.style} />
      <Field label="Negative prompt" id={ids.negative} hint="What the image should not look like">
        <textarea
          id={ids.negative}
          rows={2}
          value={s.negativePrompt}
          onChange={(e) => updateSettings({ negativePrompt: e.target.value })}
          data-testid="negative-input"
        />
      </Field>
      <StyleField
        id={ids.style}
        styles={model?.styles ?? []}
        value={s.style}
        onChange={(style) => updateSettings({ style })}
        testId="style-select"
      />
      {model !== undefined && hasMemory(model) ? (
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              checked={s.memory}
              onChange={(e) => updateSettings({ memory: e.target.checked })}
              aria-describedby={ids.memory}
              data-testid="memory-checkbox"
            />
            Model memory
          </label>
          <div id={ids.memory} className="hint">
            {MEMORY_HINT}
          </div>
        </div>
      ) : null}
    </>
  );
}
