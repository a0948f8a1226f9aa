/**
 * Under a path field in the browser (web mode): the server uses a path the page names only
 * inside the folders allowed when `tessera serve` was started, so say how to allow one. The
 * desktop app has native pickers instead and shows nothing here.
 */
import { dialogs } from '../bridge/index.ts';

export function WebFolderNote() {
  if (dialogs.available()) return null;
  return (
    <div className="hint" data-testid="web-folder-note">
      From the browser, Tessera uses only folders allowed when it was started:{' '}
      <span className="mono">tessera serve --allow-folder /path/to/folder</span> (repeatable).
    </div>
  );
}
