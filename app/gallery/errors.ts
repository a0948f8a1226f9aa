/**
 * The one error type the gallery throws on purpose. `code` lets callers react (offer an update,
 * a restore, a retry); `message` is written for the user and says what to do next.
 */
import { TesseraError } from '../common/errors.ts';

export type GalleryErrorCode =
  'newer-database' | 'corrupt-database' | 'disk-full' | 'not-found' | 'invalid';

export class GalleryError extends TesseraError<GalleryErrorCode> {
  override readonly name = 'GalleryError';
  constructor(code: GalleryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { retryable: code === 'disk-full', cause: options?.cause });
  }
}

export const invalid = (message: string) => new GalleryError('invalid', message);
export const notFound = (message: string) => new GalleryError('not-found', message);

export const DISK_FULL_MESSAGE =
  'the disk is full: free some space and try again (nothing was saved)';

/** Turns SQLite's own failure codes into errors that say what to do; others pass unchanged. */
export function translateSqliteError(err: unknown, dbPath: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC')
    return new GalleryError('disk-full', DISK_FULL_MESSAGE, { cause: err });
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return new GalleryError('corrupt-database', corruptMessage(dbPath), { cause: err });
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return new TesseraError(
      'library-busy',
      `the library ${dbPath} stayed busy for 5 seconds (another Tessera process is writing to ` +
        'it): try again in a moment',
      { retryable: true, cause: err },
    );
  return err;
}

export function corruptMessage(dbPath: string): string {
  return (
    `the library database ${dbPath} is damaged or is not a Tessera library: quit Tessera, ` +
    `then restore its newest backup (${dbPath}.bak-v<N>) or move the file aside to start a new ` +
    `library; Tessera did not change it`
  );
}
