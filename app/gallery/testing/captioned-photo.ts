/**
 * A photo as folder captioning leaves it: a real JPEG in the user's folder, known to the library
 * by its path, size and mtime, with no copy in `objects/`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Gallery } from '../types.ts';

export interface CaptionedPhoto {
  assetId: number;
  sha256: string;
  path: string;
  bytes: Buffer;
}

/** A `width`×`height` JPEG of a gradient, written to `folder/name` and added as a library photo. */
export async function addCaptionedPhoto(
  gallery: Gallery,
  folder: string,
  name: string,
  width: number,
  height: number,
): Promise<CaptionedPhoto> {
  mkdirSync(folder, { recursive: true });
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = (x * 255) / width;
      rgb[i + 1] = (y * 255) / height;
      rgb[i + 2] = 128;
    }
  const bytes = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
  const path = join(folder, name);
  writeFileSync(path, bytes);
  gallery.addLibraryRoot(folder);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { assetId } = await gallery.addPhoto({
    path,
    sha256,
    mime: 'image/jpeg',
    width,
    height,
    size: statSync(path).size,
    exif: null,
    origin: 'library',
  });
  return { assetId, sha256, path, bytes };
}
