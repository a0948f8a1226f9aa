/** Pulls a repository from the hub: its name, revision and weights, then a bar with speed and ETA. */
import { useId, useState } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { Callout, Field, ProgressBar } from '../../components/ui.tsx';
import { canResume, isBusy, pullLine, type PullView } from '../../lib/model-pull.ts';
import type { usePull } from './usePull.ts';

const DTYPES = ['fp32', 'fp16', 'q4', 'q4f16'] as const;

function PullStatus({
  view,
  onCancel,
  onResume,
}: {
  view: PullView;
  onCancel: () => void;
  onResume: () => void;
}) {
  const line = pullLine(view);
  if (isBusy(view))
    return (
      <div className="pull-status" data-testid="pull-status">
        <ProgressBar
          value={line.percent}
          label={`Pulling ${view.state === 'idle' ? '' : view.repo}`}
        />
        <div className="pull-line">
          <span className="muted" data-testid="pull-progress-text">
            {line.text}
          </span>
          <button type="button" className="btn small" onClick={onCancel} data-testid="pull-cancel">
            Cancel
          </button>
        </div>
      </div>
    );
  if (view.state === 'done')
    return (
      <div data-testid="pull-done">
        <Callout tone="info" title={`Installed ${view.model.name}`}>
          {view.model.id} is in the list below
          {view.model.warning === null ? '.' : `. ${view.model.warning}`}
        </Callout>
      </div>
    );
  if (view.state === 'stopped')
    return (
      <div data-testid="pull-error">
        <Callout tone="error" title={`The pull of ${view.repo} stopped`}>
          {view.error.message}
        </Callout>
        {canResume(view) ? (
          <button type="button" className="btn small" onClick={onResume} data-testid="pull-resume">
            <Icon name="refresh" size={13} /> Resume
          </button>
        ) : null}
      </div>
    );
  return null;
}

export function PullSection({
  repo,
  setRepo,
  pull,
}: {
  repo: string;
  setRepo: (repo: string) => void;
  pull: ReturnType<typeof usePull>;
}) {
  const ids = { repo: useId(), revision: useId(), dtype: useId() };
  const [revision, setRevision] = useState('');
  const [dtype, setDtype] = useState<(typeof DTYPES)[number]>('fp32');
  const busy = isBusy(pull.view);
  const go = () =>
    void pull.start({
      repo: repo.trim(),
      dtype,
      ...(revision.trim() === '' ? {} : { revision: revision.trim() }),
    });
  return (
    <section className="add-model-section" aria-labelledby={`${ids.repo}-title`}>
      <h3 id={`${ids.repo}-title`} className="section-label">
        Pull from the hub
      </h3>
      <form
        className="pull-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && repo.trim() !== '') go();
        }}
      >
        <Field
          label="Repository"
          id={ids.repo}
          hint="OWNER/NAME on the hub (HF_ENDPOINT chooses another hub)"
        >
          <input
            id={ids.repo}
            type="text"
            value={repo}
            onChange={(e) => setRepo(e.target.value)}
            placeholder="onnx-community/Janus-Pro-1B-ONNX"
            spellCheck={false}
            data-testid="pull-repo"
          />
        </Field>
        <Field label="Revision" id={ids.revision} hint="A branch, tag or commit; main if empty">
          <input
            id={ids.revision}
            type="text"
            value={revision}
            onChange={(e) => setRevision(e.target.value)}
            placeholder="main"
            spellCheck={false}
          />
        </Field>
        <Field label="Weights" id={ids.dtype} hint="Only this dtype's files are downloaded">
          <select
            id={ids.dtype}
            value={dtype}
            onChange={(e) => setDtype(e.target.value as typeof dtype)}
            data-testid="pull-dtype"
          >
            {DTYPES.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </Field>
        <button
          type="submit"
          className="btn"
          disabled={busy || repo.trim() === ''}
          data-testid="pull-submit"
        >
          <Icon name="import" size={14} /> {busy ? 'Pulling…' : 'Pull'}
        </button>
      </form>
      <PullStatus view={pull.view} onCancel={() => void pull.cancel()} onResume={go} />
    </section>
  );
}
