/**
 * Creates a folder and its missing parents one level at a time. Node's recursive mkdir can
 * spin forever on some paths (under /proc, for one) instead of failing; this fails at once
 * with a message that says which part of the path is wrong.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function ensureFolder(path: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory())
        throw new Error(`${current} is a file, not a folder: choose another destination`);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        if (code === undefined) throw err;
        throw new Error(`${current} cannot be used (${code}): choose another destination`);
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
      throw new Error(`cannot create the folder ${folder} (${why}): choose another destination`);
    }
  }
}
