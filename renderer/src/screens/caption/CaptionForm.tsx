/** The Caption screen's form: the folder (typed, or picked on the desktop), model and options. */
import { useId } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { dialogs } from '../../bridge/index.ts';
import { Icon } from '../../components/Icon.tsx';
import { Callout, Field } from '../../components/ui.tsx';
import { WebFolderNote } from '../../components/WebFolderNote.tsx';
import { reportError } from '../../state/app.ts';
import { setCaptionForm, type CaptionForm as Form } from '../../state/caption-form.ts';

function FolderField({ folder }: { folder: string }) {
  const id = useId();
  return (
    <Field label="Folder" id={id} hint="An absolute path on this computer">
      <input
        id={id}
        type="text"
        value={folder}
        onChange={(e) => setCaptionForm({ folder: e.target.value })}
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
              .then((p) => p !== null && setCaptionForm({ folder: p }))
              .catch((err: unknown) => reportError('Could not open the folder picker', err))
          }
        >
          <Icon name="folder" size={13} /> Browse…
        </button>
      ) : (
        <WebFolderNote />
      )}
    </Field>
  );
}

const OPTIONS: {
  key: 'recursive' | 'includeHidden' | 'writeXmp' | 'retryFailed';
  label: string;
  testId: string;
}[] = [
  { key: 'recursive', label: 'Include sub-folders', testId: 'caption-recursive' },
  {
    key: 'includeHidden',
    label: 'Include hidden folders (names starting with a dot)',
    testId: 'caption-include-hidden',
  },
  {
    key: 'writeXmp',
    label: 'Write XMP sidecars (photo.jpg.xmp) next to the files',
    testId: 'caption-xmp',
  },
  {
    key: 'retryFailed',
    label: 'Retry files that failed last time',
    testId: 'caption-retry-failed',
  },
];

function CaptionOptions({ form }: { form: Form }) {
  return (
    <fieldset className="checks">
      <legend className="label">Options</legend>
      {OPTIONS.map((o) => (
        <label key={o.key} className="check">
          <input
            type="checkbox"
            checked={form[o.key]}
            onChange={(e) => setCaptionForm({ [o.key]: e.target.checked })}
            data-testid={o.testId}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

export function CaptionForm({
  form,
  captioners,
  model,
  blocked,
  submitting,
  onStart,
}: {
  form: Form;
  captioners: readonly ModelView[];
  model: ModelView | undefined;
  blocked: string | null;
  submitting: boolean;
  onStart: () => void;
}) {
  const modelId = useId();
  return (
    <form
      className="form-column"
      aria-label="Caption a folder"
      onSubmit={(e) => {
        e.preventDefault();
        onStart();
      }}
    >
      <h1 className="screen-title">Caption a folder</h1>
      <p className="muted intro">
        Writes a caption for every image in a folder. Your own captions are never overwritten: where
        a file already has one, the model's goes in as a suggestion.
      </p>
      <FolderField folder={form.folder} />
      <Field label="Model" id={modelId}>
        <select
          id={modelId}
          value={model?.id ?? ''}
          onChange={(e) => setCaptionForm({ modelId: e.target.value })}
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
      <CaptionOptions form={form} />
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
  );
}
