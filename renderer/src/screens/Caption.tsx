/**
 * Caption a folder: the folder path, recursive, XMP sidecars, retry failed; progress with ETA,
 * the per-file results (read back from the library for any job shown, then as they arrive),
 * pause and resume through the queue, and the model's notices (the tiny models caption
 * emoji-like images only) (docs/studio.md §Folder captioning).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { JobView } from '../../../app/common/contract.ts';
import { dialogs, invoke } from '../bridge/index.ts';
import { WebFolderNote } from '../components/WebFolderNote.tsx';
import { Icon } from '../components/Icon.tsx';
import { progressOf } from '../components/QueuePanel.tsx';
import { Callout, Empty, Field, ProgressBar, StatusBadge } from '../components/ui.tsx';
import { VirtualList } from '../components/VirtualList.tsx';
import { baseName, formatDate } from '../lib/format.ts';
import { reportError } from '../state/app.ts';
import {
  jobAction,
  jobsStore,
  loadJobFiles,
  refreshJobs,
  type FileEntry,
  type FileStatus,
} from '../state/jobs.ts';
import { canDo, modelsStore } from '../state/models.ts';
import { createStore, useStore } from '../state/store.ts';

const STATUS: { key: FileStatus; label: string; tone: string }[] = [
  { key: 'captioned', label: 'Captioned', tone: 'tone-ok' },
  { key: 'suggestion', label: 'Suggestion', tone: 'tone-info' },
  { key: 'skipped', label: 'Skipped', tone: '' },
  { key: 'failed', label: 'Failed', tone: 'tone-bad' },
  { key: 'problem', label: 'Problem', tone: 'tone-warn' },
];

const formStore = createStore({
  folder: '',
  recursive: true,
  writeXmp: false,
  retryFailed: false,
  modelId: '',
  jobId: null as string | null,
});

function FileRow({ f }: { f: FileEntry }) {
  const s = STATUS.find((x) => x.key === f.status)!;
  const slash = Math.max(f.path.lastIndexOf('/'), f.path.lastIndexOf('\\'));
  const detail = f.caption ?? f.message ?? '';
  return (
    <div
      className={`file-row status-${f.status}`}
      title={`${f.path}${detail ? `\n${detail}` : ''}`}
    >
      <span className={`badge ${s.tone}`}>{s.label}</span>
      <div className="file-text">
        <div className="ellipsis">
          <strong>{baseName(f.path)}</strong>
          <span className="muted"> {slash > 0 ? f.path.slice(0, slash) : ''}</span>
        </div>
        <div className={`ellipsis ${f.caption !== null ? 'file-caption' : 'muted'}`}>
          {f.caption !== null ? `“${f.caption}”` : (f.message ?? '')}
          {f.caption !== null && f.message !== null ? (
            <span className="muted"> · {f.message}</span>
          ) : null}
        </div>
      </div>
    </div>
  );
}

export function CaptionScreen() {
  const form = useStore(formStore, (s) => s);
  const { models, loaded } = useStore(modelsStore, (s) => s);
  const jobs = useStore(jobsStore, (s) => s.jobs);
  const live = useStore(jobsStore, (s) => s.live);
  const [filter, setFilter] = useState<FileStatus | 'all'>('all');
  const [submitting, setSubmitting] = useState(false);
  const ids = { folder: useId(), model: useId(), job: useId() };

  const captioners = useMemo(() => models.filter((m) => canDo(m, 'caption')), [models]);
  const model = captioners.find((m) => m.id === form.modelId) ?? captioners.find((m) => m.usable);
  useEffect(() => {
    if (model !== undefined && form.modelId !== model.id)
      formStore.set((s) => ({ ...s, modelId: model.id }));
  }, [model, form.modelId]);

  const captionJobs = jobs
    .filter((j) => j.kind === 'caption-folder')
    .sort((a, b) => b.createdAt - a.createdAt);
  const job: JobView | undefined = captionJobs.find((j) => j.id === form.jobId) ?? captionJobs[0];
  const jobLive = job === undefined ? undefined : live[job.id];
  const history = jobLive?.history ?? 'none';
  // The library keeps every job's per-file results: read them for the job shown.
  useEffect(() => {
    if (job !== undefined && history === 'none') void loadJobFiles(job.id);
  }, [job?.id, history]);
  const files = jobLive?.files ?? [];
  // Re-read only when a file arrives (the array is appended in place).
  const filesVersion = jobLive?.filesVersion ?? 0;
  const shown = useMemo(
    () => (filter === 'all' ? files : files.filter((f) => f.status === filter)),
    [files, filter, filesVersion],
  );

  const start = async () => {
    if (model === undefined || form.folder.trim() === '' || submitting) return;
    setSubmitting(true);
    try {
      const { jobId } = await invoke('jobs:submitCaptionFolder', {
        modelId: model.id,
        provider: model.provider,
        folder: form.folder.trim(),
        recursive: form.recursive,
        writeXmp: form.writeXmp,
        retryFailed: form.retryFailed,
      });
      formStore.set((s) => ({ ...s, jobId }));
      setFilter('all');
      await refreshJobs();
    } catch (err) {
      reportError('Could not start captioning', err);
    } finally {
      setSubmitting(false);
    }
  };

  const progress = job === undefined ? null : progressOf(job, jobLive);
  const blocked =
    model === undefined
      ? loaded
        ? 'No installed model can caption: import a checkpoint with the caption capability.'
        : 'Loading models…'
      : !model.usable
        ? (model.problem ?? 'This model cannot run.')
        : form.folder.trim() === ''
          ? 'Type the path of a folder to caption.'
          : null;

  return (
    <div className="screen caption-screen">
      <form
        className="form-column"
        aria-label="Caption a folder"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <h1 className="screen-title">Caption a folder</h1>
        <p className="muted intro">
          Writes a caption for every image in a folder. Your own captions are never overwritten:
          where a file already has one, the model's goes in as a suggestion.
        </p>
        <Field label="Folder" id={ids.folder} hint="An absolute path on this computer">
          <input
            id={ids.folder}
            type="text"
            value={form.folder}
            onChange={(e) => formStore.set((s) => ({ ...s, folder: e.target.value }))}
            placeholder="/home/me/Pictures/2024"
            spellCheck={false}
            data-testid="caption-folder-input"
          />
          {dialogs.available() ? (
            <button
              type="button"
              className="btn small browse"
              onClick={() =>
                void dialogs
                  .folder('Folder to caption', 'Caption this folder')
                  .then((p) => p !== null && formStore.set((s) => ({ ...s, folder: p })))
                  .catch((err: unknown) => reportError('Could not open the folder picker', err))
              }
            >
              <Icon name="folder" size={13} /> Browse…
            </button>
          ) : (
            <WebFolderNote />
          )}
        </Field>
        <Field label="Model" id={ids.model}>
          <select
            id={ids.model}
            value={model?.id ?? ''}
            onChange={(e) => formStore.set((s) => ({ ...s, modelId: e.target.value }))}
          >
            {captioners.length === 0 ? <option value="">No model can caption</option> : null}
            {captioners.map((m) => (
              <option key={m.id} value={m.id} disabled={!m.usable}>
                {m.name}
              </option>
            ))}
          </select>
        </Field>
        {model?.trainedOnEmojiOnly ? (
          <Callout tone="warn" title="This model captions emoji-like images only">
            It was trained on emoji. Photos get poor captions: import a checkpoint with the caption
            capability for real photo folders.
          </Callout>
        ) : null}
        <fieldset className="checks">
          <legend className="label">Options</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={form.recursive}
              onChange={(e) => formStore.set((s) => ({ ...s, recursive: e.target.checked }))}
              data-testid="caption-recursive"
            />
            Include sub-folders
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={form.writeXmp}
              onChange={(e) => formStore.set((s) => ({ ...s, writeXmp: e.target.checked }))}
              data-testid="caption-xmp"
            />
            Write XMP sidecars (photo.jpg.xmp) next to the files
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={form.retryFailed}
              onChange={(e) => formStore.set((s) => ({ ...s, retryFailed: e.target.checked }))}
              data-testid="caption-retry-failed"
            />
            Retry files that failed last time
          </label>
        </fieldset>
        <div className="hint">Files already captioned by this model are skipped.</div>
        <div className="submit-row">
          <button
            type="submit"
            className="btn primary wide"
            disabled={blocked !== null || submitting}
            data-testid="caption-start"
          >
            <Icon name="caption" /> {submitting ? 'Starting…' : 'Start captioning'}
          </button>
          {blocked !== null ? <div className="hint">{blocked}</div> : null}
        </div>
      </form>

      <section className="stage caption-stage" aria-label="Captioning progress">
        {job === undefined ? (
          <Empty title="No captioning yet">
            Pick a folder and start: each file's result shows here.
          </Empty>
        ) : (
          <>
            <div className="caption-job-head">
              {captionJobs.length > 1 ? (
                <div className="field compact-field wide-select">
                  <label htmlFor={ids.job}>Job</label>
                  <select
                    id={ids.job}
                    value={job.id}
                    onChange={(e) => formStore.set((s) => ({ ...s, jobId: e.target.value }))}
                  >
                    {captionJobs.map((j) => (
                      <option key={j.id} value={j.id}>
                        {j.title} — {j.status} — {formatDate(j.createdAt)}
                      </option>
                    ))}
                  </select>
                </div>
              ) : null}
              <div className="stage-status-line">
                <StatusBadge status={job.status} />
                <span className="ellipsis mono" title={job.title}>
                  {job.title}
                </span>
              </div>
              {progress !== null ? (
                <>
                  <ProgressBar value={progress.value} label="Captioning progress" />
                  <div className="muted stage-numbers" data-testid="caption-progress">
                    {progress.total > 0
                      ? `${progress.done} / ${progress.total} files`
                      : 'Scanning the folder…'}
                    {progress.rate !== '' ? ` · ${progress.rate}` : ''}
                    {progress.eta !== '' ? ` · ETA ${progress.eta}` : ''}
                  </div>
                </>
              ) : null}
              <div className="row gap">
                {job.status === 'running' || job.status === 'queued' ? (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => void jobAction('pause', job.id)}
                    data-testid="caption-pause"
                  >
                    <Icon name="pause" size={13} /> Pause
                  </button>
                ) : null}
                {job.status === 'paused' ? (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => void jobAction('resume', job.id)}
                    data-testid="caption-resume"
                  >
                    <Icon name="play" size={13} /> Resume
                  </button>
                ) : null}
                {job.status === 'failed' ||
                job.status === 'cancelled' ||
                job.status === 'interrupted' ? (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => void jobAction('retry', job.id)}
                  >
                    <Icon name="retry" size={13} /> Retry
                  </button>
                ) : null}
                {job.status === 'running' || job.status === 'queued' || job.status === 'paused' ? (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => void jobAction('cancel', job.id)}
                  >
                    <Icon name="x" size={13} /> Cancel
                  </button>
                ) : null}
              </div>
              {job.error !== null ? (
                <Callout tone="error" title="Captioning stopped">
                  {job.error.message}
                </Callout>
              ) : null}
              {(jobLive?.notices ?? []).map((n) => (
                <Callout key={n} tone="warn">
                  {n}
                </Callout>
              ))}
            </div>
            <div className="file-filters" role="group" aria-label="Show files by result">
              <button
                type="button"
                className={`btn small ${filter === 'all' ? 'active' : ''}`}
                aria-pressed={filter === 'all'}
                onClick={() => setFilter('all')}
              >
                All {files.length}
              </button>
              {STATUS.map((s) => (
                <button
                  key={s.key}
                  type="button"
                  className={`btn small ${filter === s.key ? 'active' : ''}`}
                  aria-pressed={filter === s.key}
                  onClick={() => setFilter(s.key)}
                  disabled={(jobLive?.counts[s.key] ?? 0) === 0}
                >
                  {s.label} {jobLive?.counts[s.key] ?? 0}
                </button>
              ))}
            </div>
            <div className="file-list-host">
              {files.length === 0 ? (
                <div className="muted pad">
                  {history !== 'loaded'
                    ? 'Reading the results…'
                    : job.status === 'completed' || job.status === 'failed'
                      ? 'No files were reported for this job.'
                      : 'Files appear here as they are captioned.'}
                </div>
              ) : null}
              <VirtualList
                items={shown}
                rowHeight={46}
                label="Files and their captioning results"
                testId="caption-file-list"
                followTail={filter === 'all'}
                renderRow={(f) => <FileRow f={f} />}
              />
            </div>
          </>
        )}
      </section>
    </div>
  );
}
