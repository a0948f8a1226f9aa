/**
 * Imports image files dropped onto the Library from the desktop: each file's bytes go to the
 * app one at a time (`gallery:importUpload`, the same import as Import…), and one toast sums
 * up what happened; files that failed are listed with their reasons.
 */
import { MAX_OPEN_FILE_BYTES } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { bytesToBase64 } from '../lib/mask.ts';
import { reportError, toast } from './app.ts';

export async function importDroppedFiles(files: readonly File[]): Promise<void> {
  let imported = 0;
  let existing = 0;
  const failures: string[] = [];
  for (const file of files) {
    if (file.size > MAX_OPEN_FILE_BYTES) {
      failures.push(
        `${file.name} is over ${MAX_OPEN_FILE_BYTES / 2 ** 20} MiB: use Import… for it`,
      );
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch {
      // A dropped folder arrives as a File that cannot be read.
      failures.push(`${file.name} cannot be read here (a folder?): use Import… for folders`);
      continue;
    }
    try {
      const r = await invoke('gallery:importUpload', {
        name: file.name,
        dataBase64: bytesToBase64(bytes),
      });
      if (r.status === 'imported') imported++;
      else if (r.status === 'exists') existing++;
      else failures.push(`${file.name} ${r.message ?? 'could not be imported'}`);
    } catch (err) {
      failures.push(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const parts = [`Imported ${imported} file${imported === 1 ? '' : 's'}`];
  if (existing > 0) parts.push(`${existing} already in the library`);
  if (failures.length > 0) parts.push(`${failures.length} failed`);
  toast(parts.join(', '));
  if (failures.length > 0)
    reportError(
      `${failures.length} dropped file${failures.length === 1 ? '' : 's'} could not be imported`,
      new Error(failures.slice(0, 5).join('; ') + (failures.length > 5 ? '; …' : '')),
    );
}
