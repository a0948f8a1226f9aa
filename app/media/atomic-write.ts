/** Writes a file through a temporary name and a rename: a crash or a full disk never leaves a
 * half-written file behind, and an existing file is replaced only by a complete one. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx');
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
    if (code === 'ENOSPC') throw new Error(`the disk is full: free some space to save ${path}`);
    if (code === 'ENOENT') throw new Error(`the folder of ${path} does not exist`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new Error(`${path} cannot be written (permission denied)`);
    throw err;
  }
}
