/**
 * "Reuse settings": the current Generate settings next to the stored recipe, one row per
 * field, each with its own Apply (InvokeAI #8463: "Use All" clobbered what the user had set).
 */
import { useMemo } from 'react';
import { applyFields, diffSettings, type StoredSettings } from '../lib/settings.ts';
import { navigate, settingsStore } from '../state/app.ts';
import { modelsStore } from '../state/models.ts';
import { useStore } from '../state/store.ts';
import { Icon } from './Icon.tsx';
import { Callout, Dialog } from './ui.tsx';

export function ReuseDialog({
  open,
  stored,
  source,
  onClose,
}: {
  open: boolean;
  stored: StoredSettings;
  /** where the settings came from, e.g. "#42 red heart" */
  source: string;
  onClose: () => void;
}) {
  const current = useStore(settingsStore, (s) => s);
  const models = useStore(modelsStore, (s) => s.models);
  const rows = useMemo(() => diffSettings(current, stored), [current, stored]);
  const differing = rows.filter((r) => !r.same);
  const missingModel = stored.modelId !== undefined && !models.some((m) => m.id === stored.modelId);
  const apply = (fields: Parameters<typeof applyFields>[2]) =>
    settingsStore.set((s) => applyFields(s, stored, fields));

  return (
    <Dialog
      open={open}
      title={`Reuse settings from ${source}`}
      onClose={onClose}
      wide
      footer={
        <>
          <span className="muted grow">
            {differing.length === 0
              ? 'Generate already uses every stored setting.'
              : `${differing.length} of ${rows.length} settings differ`}
          </span>
          <button
            type="button"
            className="btn"
            disabled={differing.length === 0}
            onClick={() => apply(differing.map((r) => r.field))}
            data-testid="reuse-apply-all"
          >
            Apply all {differing.length} differences
          </button>
          <button
            type="button"
            className="btn primary"
            onClick={() => {
              onClose();
              navigate('generate');
            }}
          >
            Go to Generate
          </button>
        </>
      }
    >
      <p className="muted">
        Apply only the settings you want; the rest of Generate stays as you left it.
      </p>
      {missingModel ? (
        <Callout tone="warn" title="The model is not installed">
          {stored.modelId} made this image. Import it on the Models screen to replay it exactly.
        </Callout>
      ) : null}
      <table className="data diff-table" data-testid="reuse-diff">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Current (Generate)</th>
            <th scope="col">Stored (this image)</th>
            <th scope="col">
              <span className="sr-only">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.field}
              className={r.same ? 'same' : 'differs'}
              data-testid={`reuse-row-${r.field}`}
            >
              <th scope="row">{r.label}</th>
              <td className="diff-current">{r.current}</td>
              <td className="diff-stored">{r.stored}</td>
              <td className="diff-action">
                {r.same ? (
                  <span className="muted same-mark">
                    <Icon name="check" size={14} /> Same
                  </span>
                ) : (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => apply([r.field])}
                    aria-label={`Apply ${r.label}: ${r.stored}`}
                    disabled={r.field === 'modelId' && missingModel}
                  >
                    Apply
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
