/**
 * Reads a file the folder scan found, guarding against what may have changed since: a file
 * swapped for a FIFO would block a plain read forever, so it is opened non-blocking and
 * checked to still be a regular file of sane size before a byte is read.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { TesseraError } from '../common/errors.ts';

/** Photos above this are refused per file instead of being read into memory. */
export const MAX_PHOTO_BYTES = 512 * 2 ** 20;

export class FileReadError extends TesseraError {
  constructor(message: string) {
    super('unreadable-file', message);
  }
}

export async function readRegularFile(path: string, maxBytes = MAX_PHOTO_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileReadError('the file vanished while the folder was read');
    if (code === 'EACCES' || code === 'EPERM')
      throw new FileReadError('permission denied: allow reading it, or leave it out');
    throw new FileReadError(`cannot be opened (${code ?? String(err)})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileReadError('is no longer a regular file');
    if (info.size === 0) throw new FileReadError('is empty');
    if (info.size > maxBytes)
      throw new FileReadError(
        `is ${(info.size / 2 ** 20).toFixed(0)} MiB, over the ${maxBytes / 2 ** 20} MiB limit for one photo`,
      );
    return await handle.readFile();
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileReadError(`cannot be read (${code ?? String(err)})`);
  } finally {
    await handle.close();
  }
}
