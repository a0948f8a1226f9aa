/**
 * Opens an image file for infill without importing it: the desktop's file dialog hands the app
 * a path; a browser (web mode) uploads the file's bytes over the loopback server.
 */
import { useRef, useState } from 'react';
import { dialogs } from '../../bridge/index.ts';
import { Icon } from '../../components/Icon.tsx';
import { reportError } from '../../state/app.ts';
import { openFileInInfill, openInInfill } from '../../state/infill-open.ts';

export function OpenFileButton({
  label,
  className = 'btn',
}: {
  label: string;
  className?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const run = async (open: () => Promise<void>) => {
    setBusy(true);
    try {
      await open();
    } finally {
      setBusy(false);
    }
  };
  const pick = async () => {
    if (!dialogs.available()) {
      input.current?.click();
      return;
    }
    try {
      const [path] = await dialogs.files('Open an image to infill', {
        buttonLabel: 'Open',
        multiple: false,
      });
      if (path !== undefined) await run(() => openInInfill({ from: 'path', path }));
    } catch (err) {
      reportError('Could not open the file picker', err);
    }
  };
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => void pick()}
        disabled={busy}
        title="Infill an image file without adding it to the library; only the result is added"
        data-testid="infill-open-file"
      >
        <Icon name="folder" size={14} /> {busy ? 'Opening…' : label}
      </button>
      <input
        ref={input}
        type="file"
        accept="image/*"
        hidden
        data-testid="infill-file-input"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file !== undefined) void run(() => openFileInInfill(file));
        }}
      />
    </>
  );
}
