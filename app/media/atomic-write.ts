/**
 * Writes a file through a temporary name and a rename: a crash or a full disk never leaves a
 * half-written file behind, and an existing file is replaced only by a complete one.
 *
 * Replacing a file this way must not change what the user set up around it (as npm's
 * write-file-atomic does, but keeping the `.<name>.<hex>.tmp` temporary names that an
 * interrupted job recognises and cleans up): a symlink stays a symlink and its target gets the
 * new bytes, and the replaced file's mode and owner carry over to the new one.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chown, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file the bytes go to: a symlink's final target, or the path itself. */
async function targetOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path; // nothing there yet (or a dangling link): the path itself
  }
}

async function existing(path: string): Promise<Stats | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info : null;
  } catch {
    return null;
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const target = await targetOf(path);
  const before = await existing(target);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', before === null ? 0o666 : before.mode & 0o7777);
    try {
      await handle.writeFile(data);
      if (before !== null) {
        await chown(tmp, before.uid, before.gid).catch((err: NodeJS.ErrnoException) => {
          // Only root may give a file away; anyone else keeps the file as theirs.
          if (err.code !== 'EPERM' && err.code !== 'EINVAL') throw err;
        });
        // After chown, which clears set-id bits; and open's mode is narrowed by the umask.
        await handle.chmod(before.mode & 0o7777);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
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
