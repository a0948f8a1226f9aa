/**
 * The bytes of an image by content hash, wherever the library keeps them: its object store
 * (items, and the outside files opened for infill), else a library photo's file in the user's
 * folder. What is read is checked against the hash: a file edited since is not that image.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GalleryContext } from './context.ts';
import { findObject, sha256Hex } from './object-store.ts';
import { assertSha256 } from './validate.ts';

async function readIfSame(path: string, sha256: string): Promise<Buffer | null> {
  try {
    const bytes = await readFile(path);
    return sha256Hex(bytes) === sha256 ? bytes : null;
  } catch {
    return null;
  }
}

export async function readImageBytes(ctx: GalleryContext, sha256: string): Promise<Buffer | null> {
  assertSha256(sha256);
  const object = findObject(ctx.dir, sha256);
  if (object !== null) {
    const bytes = await readIfSame(object, sha256);
    if (bytes !== null) return bytes;
  }
  const files = ctx.all<{ path: string; rel_path: string }>(
    `SELECT r.path, f.rel_path FROM library_files f JOIN library_roots r ON r.id = f.root_id
     WHERE f.sha256 = ? ORDER BY f.id`,
    sha256,
  );
  for (const f of files) {
    const bytes = await readIfSame(join(f.path, f.rel_path), sha256);
    if (bytes !== null) return bytes;
  }
  return null;
}
