/**
 * Creates a destination folder and its missing parents one level at a time. Node's recursive
 * mkdir can spin forever on some paths (under /proc, for one) instead of failing; this fails
 * at once with a message that says which part of the path is wrong.
 *
 * A destination is always a full path: a relative one would land wherever the process that
 * writes happens to run (the studio's working folder), so it is refused here and a command
 * line resolves its own against the folder it was started in.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { TesseraError } from '../common/errors.ts';

/** A destination that cannot be written: the message names it and says to choose another. */
export class DestinationError extends TesseraError<'bad-destination'> {
  constructor(message: string) {
    super('bad-destination', message);
  }
}

export function assertFullPath(path: string): void {
  if (!isAbsolute(path))
    throw new DestinationError(
      `${path} is not a full path: give the destination's full path (such as /home/you/Pictures/export)`,
    );
}

export async function ensureFolder(path: string): Promise<void> {
  assertFullPath(path);
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory())
        throw new DestinationError(
          `${current} is a file, not a folder: choose another destination`,
        );
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        if (code === undefined) throw err;
        throw new DestinationError(
          `${current} cannot be used (${code}): choose another destination`,
        );
      }
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      const why =
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : code;
      throw new DestinationError(
        `cannot create the folder ${folder} (${why}): choose another destination`,
      );
    }
  }
}
