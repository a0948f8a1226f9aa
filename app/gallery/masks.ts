/**
 * Infill masks, kept so an infill can be replayed: `<library>/masks/<2 hex>/<sha256>.mask`, one
 * byte per model pixel, named by the sha256 of those bytes, which is the hash the recipe and
 * the lineage row already record. Masks are tiny and never purged with the trash.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably, type FileIo } from './atomic-file.ts';
import { invalid } from './errors.ts';
import { sha256Hex } from './object-store.ts';
import { assertSha256 } from './validate.ts';

export function maskPathFor(dir: string, sha256: string): string {
  return join(dir, 'masks', sha256.slice(0, 2), `${sha256}.mask`);
}

/** Stores the mask (once per content) and returns its sha256. */
export async function storeMask(dir: string, mask: Uint8Array, io?: FileIo): Promise<string> {
  if (!(mask instanceof Uint8Array) || mask.length === 0)
    throw invalid('a mask is one byte per model pixel: pass a non-empty Uint8Array');
  const sha256 = sha256Hex(mask);
  const path = maskPathFor(dir, sha256);
  if (!existsSync(path)) {
    await mkdir(join(dir, 'masks', sha256.slice(0, 2)), { recursive: true });
    await writeFileDurably(path, mask, io);
  }
  return sha256;
}

/** The mask with this hash, or null when it was never stored (or its file no longer matches). */
export async function readMask(dir: string, sha256: string): Promise<Uint8Array | null> {
  assertSha256(sha256, 'the mask sha256');
  let bytes: Buffer;
  try {
    bytes = await readFile(maskPathFor(dir, sha256));
  } catch {
    return null;
  }
  return sha256Hex(bytes) === sha256 ? new Uint8Array(bytes) : null;
}
