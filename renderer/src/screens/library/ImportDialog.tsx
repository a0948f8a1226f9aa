/** Import files or folders by path (typed, or picked on the desktop), and what each became. */
import { useEffect, useId, useState } from 'react';
import { dialogs, invoke } from '../../bridge/index.ts';
import { Icon } from '../../components/Icon.tsx';
import { Dialog } from '../../components/ui.tsx';
import { WebFolderNote } from '../../components/WebFolderNote.tsx';
import {
  appendPaths,
  importCounts,
  parsePaths,
  type ImportAnswer,
} from '../../lib/library-view.ts';
import { reportError, toast } from '../../state/app.ts';
import { reload } from '../../state/library.ts';

function PathPickers({ onAdd }: { onAdd: (paths: string[]) => void }) {
  if (!dialogs.available()) return <WebFolderNote />;
  return (
    <div className="row gap">
      <button
        type="button"
        className="btn small"
        onClick={() =>
          void dialogs
            .files('Import images')
            .then((ps) => ps.length > 0 && onAdd(ps))
            .catch((err: unknown) => reportError('Could not open the file picker', err))
        }
      >
        <Icon name="import" size={13} /> Add files…
      </button>
      <button
        type="button"
        className="btn small"
        onClick={() =>
          void dialogs
            .folder('Import a folder', 'Import')
            .then((p) => p !== null && onAdd([p]))
            .catch((err: unknown) => reportError('Could not open the folder picker', err))
        }
      >
        <Icon name="folder" size={13} /> Add folder…
      </button>
    </div>
  );
}

function ImportResult({ result }: { result: ImportAnswer }) {
  const counts = importCounts(result);
  return (
    <div className="import-result" data-testid="import-result">
      <div>
        <span className="badge tone-ok">{counts.imported} imported</span>{' '}
        <span className="badge">{counts.exists} already in the library</span>{' '}
        {counts.failed.length > 0 ? (
          <span className="badge tone-bad">{counts.failed.length} failed</span>
        ) : null}
      </div>
      {counts.failed.length > 0 ? (
        <ul className="failed-list">
          {counts.failed.slice(0, 50).map((f) => (
            <li key={f.path}>
              <span className="mono">{f.path}</span>
              <span className="muted"> — {f.message ?? 'could not be read'}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [paths, setPaths] = useState('');
  const [recursive, setRecursive] = useState(true);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportAnswer | null>(null);
  const id = useId();
  useEffect(() => {
    if (open) setResult(null);
  }, [open]);
  const list = parsePaths(paths);
  const run = async () => {
    setBusy(true);
    try {
      const r = await invoke('gallery:import', { paths: list, recursive });
      setResult(r);
      const { imported } = importCounts(r);
      toast(`Imported ${imported} image(s)`);
      if (imported > 0) reload();
    } catch (err) {
      reportError('Could not import', err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title="Import images"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {result ? 'Close' : 'Cancel'}
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={list.length === 0 || busy}
            onClick={() => void run()}
            data-testid="import-run"
          >
            <Icon name="import" size={14} /> {busy ? 'Importing…' : `Import ${list.length || ''}`}
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={id}>Files or folders, one path per line</label>
        <textarea
          id={id}
          rows={5}
          value={paths}
          onChange={(e) => setPaths(e.target.value)}
          placeholder={'/home/me/Pictures/holiday\n/home/me/Downloads/cat.png'}
          autoFocus
          data-testid="import-paths"
        />
        <div className="hint">
          Images are recognised by their content, not their extension. Files stay where they are;
          Tessera keeps its own copy.
        </div>
        <PathPickers onAdd={(added) => setPaths((cur) => appendPaths(cur, added))} />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={recursive}
          onChange={(e) => setRecursive(e.target.checked)}
        />
        Include sub-folders
      </label>
      {result ? <ImportResult result={result} /> : null}
    </Dialog>
  );
}
