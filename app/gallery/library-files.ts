/**
 * Watched folders and the files seen in them. A file row remembers size and mtime so a rescan
 * hashes only what changed, and links to the asset holding its bytes.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { GalleryContext } from './context.ts';
import { invalid, notFound } from './errors.ts';
import type { LibraryFileRow } from './types.ts';
import { assertAssetsExist, assertId, assertSha256 } from './validate.ts';

export function addLibraryRoot(ctx: GalleryContext, path: string): number {
  if (typeof path !== 'string' || path.trim() === '') throw invalid('choose a folder to add');
  const normalized = resolve(path);
  return ctx.write(() => {
    ctx.run(
      'INSERT INTO library_roots (path, added_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING',
      normalized,
      Date.now(),
    );
    return ctx.get<{ id: number }>('SELECT id FROM library_roots WHERE path = ?', normalized)!.id;
  });
}

function assertRoot(ctx: GalleryContext, rootId: number): void {
  assertId(rootId, 'library folder');
  if (ctx.get('SELECT 1 FROM library_roots WHERE id = ?', rootId) === undefined)
    throw notFound(`no library folder with id ${rootId}: add the folder again`);
}

function assertRelPath(relPath: unknown): asserts relPath is string {
  if (typeof relPath !== 'string' || relPath === '' || relPath.startsWith('/'))
    throw invalid(`${JSON.stringify(relPath)} is not a path inside the folder`);
}

/** The library folder that holds `path`, and the path inside it as rows keep it ('/'-separated). */
export function rootOf(
  ctx: GalleryContext,
  path: string,
): { rootId: number; relPath: string } | null {
  for (const root of ctx.all<{ id: number; path: string }>('SELECT id, path FROM library_roots')) {
    const rel = relative(root.path, path);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
      return { rootId: root.id, relPath: rel.split(sep).join('/') };
  }
  return null;
}

export function libraryFile(
  ctx: GalleryContext,
  rootId: number,
  relPath: string,
): LibraryFileRow | null {
  const row = ctx.get<LibraryFileRow>(
    `SELECT id, sha256, asset_id AS assetId, size, mtime_ms AS mtimeMs
     FROM library_files WHERE root_id = ? AND rel_path = ?`,
    rootId,
    relPath,
  );
  return row ?? null;
}

export interface LibraryFileFacts {
  sha256: string | null;
  assetId: number | null;
  size: number;
  mtimeMs: number;
}

/** The write itself, for callers already inside a transaction. */
export function upsertLibraryFileRow(
  ctx: GalleryContext,
  rootId: number,
  relPath: string,
  f: LibraryFileFacts,
): number {
  return ctx.get<{ id: number }>(
    `INSERT INTO library_files (root_id, rel_path, sha256, asset_id, size, mtime_ms, seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (root_id, rel_path) DO UPDATE SET sha256 = excluded.sha256,
       asset_id = excluded.asset_id, size = excluded.size, mtime_ms = excluded.mtime_ms,
       seen_at = excluded.seen_at
     RETURNING id`,
    rootId,
    relPath,
    f.sha256,
    f.assetId,
    f.size,
    f.mtimeMs,
    Date.now(),
  )!.id;
}

export function upsertLibraryFile(
  ctx: GalleryContext,
  rootId: number,
  relPath: string,
  f: LibraryFileFacts,
): number {
  assertRelPath(relPath);
  if (f.sha256 !== null) assertSha256(f.sha256);
  if (!Number.isSafeInteger(f.size) || f.size < 0)
    throw invalid(`the file size must be a whole number of bytes, got ${String(f.size)}`);
  if (!Number.isFinite(f.mtimeMs)) throw invalid('the file modification time must be a number');
  return ctx.write(() => {
    assertRoot(ctx, rootId);
    if (f.assetId !== null) assertAssetsExist(ctx, [f.assetId]);
    return upsertLibraryFileRow(ctx, rootId, relPath, f);
  });
}
