/** Imports a model folder (validated, then copied into the data folder's models/). */
import { useId, useState } from 'react';
import { dialogs, invoke } from '../../bridge/index.ts';
import { Icon } from '../../components/Icon.tsx';
import { WebFolderNote } from '../../components/WebFolderNote.tsx';
import { Field } from '../../components/ui.tsx';
import { reportError, toast } from '../../state/app.ts';
import { loadModels } from '../../state/models.ts';

export function ImportFolder({ testIdPrefix = '' }: { testIdPrefix?: string }) {
  const id = useId();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const importFolder = async (folder: string) => {
    if (folder.trim() === '' || busy) return;
    setBusy(true);
    try {
      const imported = await invoke('models:import', { path: folder.trim() });
      toast(
        `Imported ${imported.name} (${imported.id})${imported.warning === null ? '' : `. ${imported.warning}`}`,
      );
      setPath('');
      await loadModels();
    } catch (err) {
      reportError('Could not import the model', err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="import-model"
      aria-label="Import a model folder"
      onSubmit={(e) => {
        e.preventDefault();
        void importFolder(path);
      }}
    >
      <Field
        label="Import a model folder"
        id={id}
        hint="A folder with manifest.json and the graphs it names; it is checked, then copied"
      >
        <input
          id={id}
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/home/me/Downloads/my-model"
          spellCheck={false}
          data-testid={`${testIdPrefix}model-import-path`}
        />
        {dialogs.available() ? (
          <button
            type="button"
            className="btn small browse"
            onClick={() =>
              void dialogs
                .folder('Model folder to import', 'Import this model')
                .then((p) => (p === null ? undefined : importFolder(p)))
                .catch((err: unknown) => reportError('Could not open the folder picker', err))
            }
          >
            <Icon name="folder" size={13} /> Browse…
          </button>
        ) : (
          <WebFolderNote />
        )}
      </Field>
      <button
        type="submit"
        className="btn"
        disabled={busy || path.trim() === ''}
        data-testid={`${testIdPrefix}model-import-submit`}
      >
        <Icon name="import" size={14} /> {busy ? 'Checking and copying…' : 'Import'}
      </button>
    </form>
  );
}
