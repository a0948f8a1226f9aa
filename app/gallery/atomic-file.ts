/**
 * Durable file writes for the library folder: temp file, fsync, rename, fsync of the folder
 * (as app/media/atomic-write.ts, plus the folder sync and GalleryErrors). A crash or a full
 * disk leaves either the complete file or nothing. The file system calls are injectable so
 * tests can simulate a disk that fills up mid-write.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DISK_FULL_MESSAGE, GalleryError } from './errors.ts';

export interface WritableFile {
  writeFile(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileIo {
  /** Creates a new file for writing (flag 'wx'). */
  create(path: string): Promise<WritableFile>;
}

export const nodeFileIo: FileIo = { create: (path) => open(path, 'wx') };

/** Makes a completed rename survive power loss; some platforms cannot open folders, which is fine. */
async function syncFolder(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows refuses to open a directory; NTFS journals the rename anyway.
  }
}

export async function writeFileDurably(
  path: string,
  data: Uint8Array,
  io: FileIo = nodeFileIo,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await io.create(tmp);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new GalleryError('disk-full', DISK_FULL_MESSAGE, { cause: err });
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new Error(
        `${path} cannot be written (${code}): make the library folder writable or move the library`,
        { cause: err },
      );
    throw err;
  }
  await syncFolder(dirname(path));
}
