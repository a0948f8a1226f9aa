/**
 * Which file serves an image named by its hash: its thumbnail when one is asked for and made,
 * else the library's own copy in `objects/`, else — for a photo captioned where it lies — the
 * user's file, but only while it is still the file the library knows. Size and mtime as recorded
 * mean unchanged; when they differ the file is hashed, and a file whose bytes still match has its
 * record brought up to date (a copy or `touch` keeps a photo viewable).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GalleryContext } from './context.ts';
import { findObject } from './object-store.ts';
import { thumbPathFor } from './thumbnails.ts';
import { assertSha256 } from './validate.ts';

export type AssetFile =
  | { status: 'found'; path: string; contentType: string }
  /** No file for this hash anywhere the library looks. */
  | { status: 'missing' }
  /** A photo whose file moved away or was edited since the library saw it; `path` is where it was. */
  | { status: 'changed'; path: string };

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

const found = (path: string): AssetFile => ({
  status: 'found',
  path,
  contentType:
    IMAGE_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream',
});

interface FileRow {
  id: number;
  root: string;
  rel_path: string;
  size: number;
  mtime_ms: number;
}

async function hashFile(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

/** True when `row`'s file is still the image `sha256`; refreshes the row's size and mtime. */
async function stillTheSame(ctx: GalleryContext, row: FileRow, sha256: string): Promise<boolean> {
  const path = join(row.root, row.rel_path);
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) return false;
  if (info.size === row.size && info.mtimeMs === row.mtime_ms) return true;
  if (info.size !== row.size || (await hashFile(path)) !== sha256) return false;
  ctx.write(() =>
    ctx.run(
      'UPDATE library_files SET size = ?, mtime_ms = ?, seen_at = ? WHERE id = ?',
      info.size,
      info.mtimeMs,
      Date.now(),
      row.id,
    ),
  );
  return true;
}

export async function assetFile(
  ctx: GalleryContext,
  sha256: string,
  size: 'thumb' | 'full' = 'full',
): Promise<AssetFile> {
  assertSha256(sha256);
  if (size === 'thumb') {
    const thumb = thumbPathFor(ctx.dir, sha256);
    if (existsSync(thumb)) return found(thumb);
  }
  const object = findObject(ctx.dir, sha256);
  if (object !== null) return found(object);
  const rows = ctx.all<FileRow>(
    `SELECT f.id, r.path AS root, f.rel_path, f.size, f.mtime_ms FROM library_files f
       JOIN library_roots r ON r.id = f.root_id
     WHERE f.sha256 = ? ORDER BY f.id`,
    sha256,
  );
  for (const row of rows)
    if (await stillTheSame(ctx, row, sha256)) return found(join(row.root, row.rel_path));
  const first = rows[0];
  return first === undefined
    ? { status: 'missing' }
    : { status: 'changed', path: join(first.root, first.rel_path) };
}

/** The sentence a viewer shows for a photo that is no longer where the library saw it. */
export const changedPhotoMessage = (path: string) =>
  `the photo moved or changed since it was captioned: ${path}`;
