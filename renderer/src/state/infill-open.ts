/**
 * Opening something in Infill: a library item, or an image file that is not imported (the
 * desktop hands the app its path; a browser, or a file dropped from the desktop, its bytes).
 */
import { MAX_OPEN_FILE_BYTES, type RequestOf } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { bytesToBase64 } from '../lib/mask.ts';
import { navigate, reportError } from './app.ts';

export function openItemInInfill(id: number): void {
  navigate('infill', { infillId: id, infillFile: null });
}

export async function openInInfill(request: RequestOf<'infill:openFile'>): Promise<void> {
  try {
    const opened = await invoke('infill:openFile', request);
    navigate('infill', { infillId: null, infillFile: opened });
  } catch (err) {
    reportError('Could not open the image', err);
  }
}

export async function openFileInInfill(file: File): Promise<void> {
  if (file.size > MAX_OPEN_FILE_BYTES) {
    reportError(
      'Could not open the image',
      new Error(`${file.name} is over ${MAX_OPEN_FILE_BYTES / 2 ** 20} MiB: downscale it first`),
    );
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (err) {
    reportError(`Could not read ${file.name}`, err);
    return;
  }
  await openInInfill({ from: 'upload', name: file.name, dataBase64: bytesToBase64(bytes) });
}
