/**
 * Content-addressed image files: `<library>/objects/<2 hex>/<sha256>.<ext>`. Identical bytes
 * are stored once, and a file is complete on disk before any database row names it.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably, type FileIo } from './atomic-file.ts';
import { KNOWN_EXTENSIONS, extensionForMime, sniffImageFormat } from './image-format.ts';

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function objectPathFor(dir: string, sha256: string, ext: string): string {
  return join(dir, 'objects', sha256.slice(0, 2), `${sha256}.${ext}`);
}

export function objectPathForMime(dir: string, sha256: string, mime: string): string {
  return objectPathFor(dir, sha256, extensionForMime(mime));
}

/** The stored file for `sha256` whatever its extension, or null when there is none. */
export function findObject(dir: string, sha256: string): string | null {
  for (const ext of KNOWN_EXTENSIONS) {
    const path = objectPathFor(dir, sha256, ext);
    if (existsSync(path)) return path;
  }
  return null;
}

export interface StoredObject {
  sha256: string;
  path: string;
  mime: string;
}

export async function storeObject(
  dir: string,
  bytes: Uint8Array,
  io?: FileIo,
): Promise<StoredObject> {
  const sha256 = sha256Hex(bytes);
  const format = sniffImageFormat(bytes);
  const path = objectPathFor(dir, sha256, format.ext);
  // Objects only ever appear by rename, so an existing file of the right size is these bytes.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.size !== bytes.byteLength) {
    await mkdir(join(dir, 'objects', sha256.slice(0, 2)), { recursive: true });
    await writeFileDurably(path, bytes, io);
  }
  return { sha256, path, mime: format.mime };
}

export async function removeObject(path: string): Promise<void> {
  await rm(path, { force: true });
}
