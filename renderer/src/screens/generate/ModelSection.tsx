/** Generate's model picker, with what the chosen model draws and whether it can run. */
import { useId } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { Callout, Field } from '../../components/ui.tsx';
import { experimentalReason, isExperimental } from '../../lib/model-metrics.ts';

export function ModelSection({
  modelId,
  generators,
  model,
  onChoose,
}: {
  modelId: string;
  generators: readonly ModelView[];
  model: ModelView | undefined;
  onChoose: (id: string) => void;
}) {
  const id = useId();
  const experimental = model === undefined ? null : experimentalReason(model);
  return (
    <>
      <Field label="Model" id={id}>
        <select
          id={id}
          value={modelId}
          onChange={(e) => onChoose(e.target.value)}
          data-testid="model-select"
        >
          {generators.length === 0 ? <option value="">No model installed</option> : null}
          {generators.map((m) => (
            <option key={m.id} value={m.id} disabled={!m.usable}>
              {m.name}
              {isExperimental(m) ? ' (experimental)' : ''}
              {m.usable ? '' : ' (cannot run)'}
            </option>
          ))}
        </select>
      </Field>
      {model !== undefined ? (
        <div className="model-line muted">
          {model.family} · draws {model.image.width}×{model.image.height} px
        </div>
      ) : null}
      {experimental !== null ? (
        <div data-testid="model-experimental">
          <Callout tone="warn" title="Experimental model">
            {experimental}
          </Callout>
        </div>
      ) : null}
      {model?.trainedOnEmojiOnly ? (
        <Callout tone="info" title="Trained on emoji only">
          This model draws small emoji-style icons. Prompts about photos or scenes it never saw give
          emoji-like results.
        </Callout>
      ) : null}
      {model !== undefined && !model.usable ? (
        <Callout tone="error" title="This model cannot run">
          {model.problem ?? 'Pick another model.'}
        </Callout>
      ) : null}
    </>
  );
}
