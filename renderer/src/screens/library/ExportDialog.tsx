/**
 * Export the chosen items to a folder or a .zip path (typed, or picked on the desktop); in a
 * browser (web mode) also as a .zip download.
 */
import { useEffect, useId, useState } from 'react';
import type { ResponseOf } from '../../../../app/common/contract.ts';
import { dialogs, downloads, invoke } from '../../bridge/index.ts';
import { Icon } from '../../components/Icon.tsx';
import { Callout, Dialog } from '../../components/ui.tsx';
import { WebFolderNote } from '../../components/WebFolderNote.tsx';
import { reportError, toast } from '../../state/app.ts';

function DestinationPickers({ onPick }: { onPick: (path: string) => void }) {
  if (!dialogs.available()) return <WebFolderNote />;
  return (
    <div className="row gap">
      <button
        type="button"
        className="btn small"
        onClick={() =>
          void dialogs
            .folder('Export to folder', 'Export here')
            .then((p) => p !== null && onPick(p))
            .catch((err: unknown) => reportError('Could not open the folder picker', err))
        }
      >
        <Icon name="folder" size={13} /> Choose folder…
      </button>
      <button
        type="button"
        className="btn small"
        onClick={() =>
          void dialogs
            .zip('tessera-export.zip')
            .then((p) => p !== null && onPick(p))
            .catch((err: unknown) => reportError('Could not open the save dialog', err))
        }
      >
        <Icon name="export" size={13} /> Save as .zip…
      </button>
    </div>
  );
}

function ExportResult({ result }: { result: ResponseOf<'gallery:export'> }) {
  return (
    <Callout tone="info" title={`Wrote ${result.files.length} file(s) to ${result.to}`}>
      <div className="mono file-names">{result.files.slice(0, 20).join('\n')}</div>
      {result.files.length > 20 ? <div>…and {result.files.length - 20} more</div> : null}
    </Callout>
  );
}

export function ExportDialog({
  ids,
  open,
  onClose,
}: {
  ids: number[];
  open: boolean;
  onClose: () => void;
}) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ResponseOf<'gallery:export'> | null>(null);
  const id = useId();
  useEffect(() => {
    if (open) setResult(null);
  }, [open]);
  const download = async () => {
    setBusy(true);
    try {
      const count = await downloads.exportZip(ids);
      toast(`Downloading a zip of ${count} file(s)`);
      onClose();
    } catch (err) {
      reportError('Could not export', err);
    } finally {
      setBusy(false);
    }
  };
  const run = async () => {
    setBusy(true);
    try {
      const r = await invoke('gallery:export', { ids, to: to.trim() });
      setResult(r);
      toast(`Exported ${r.files.length} file(s) to ${r.to}`);
    } catch (err) {
      reportError('Could not export', err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={`Export ${ids.length} item${ids.length === 1 ? '' : 's'}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {result ? 'Close' : 'Cancel'}
          </button>
          {downloads.available() ? (
            <button
              type="button"
              className="btn primary"
              disabled={busy || ids.length === 0}
              onClick={() => void download()}
              data-testid="export-download"
            >
              <Icon name="export" size={14} /> Download .zip
            </button>
          ) : null}
          <button
            type="button"
            className={downloads.available() ? 'btn' : 'btn primary'}
            disabled={to.trim() === '' || busy || ids.length === 0}
            onClick={() => void run()}
            data-testid="export-run"
          >
            <Icon name="export" size={14} /> {busy ? 'Exporting…' : 'Export'}
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={id}>Destination folder, or a path ending in .zip</label>
        <input
          id={id}
          type="text"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          placeholder="/home/me/Pictures/tessera-export   or   /home/me/hearts.zip"
          autoFocus
          data-testid="export-path"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && to.trim() !== '') void run();
          }}
        />
        <div className="hint">
          PNGs keep their prompt and settings (AUTOMATIC1111 “parameters” and Tessera's recipe).
        </div>
        <DestinationPickers onPick={setTo} />
      </div>
      {result ? <ExportResult result={result} /> : null}
    </Dialog>
  );
}
