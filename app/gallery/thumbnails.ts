/**
 * 256-pixel WebP thumbnails, `<library>/thumbs/<sha256>-256.webp`, for images too big to show
 * in the grid as they are, and for every photo: a photo's file lies outside the library, where it
 * can move or be slow to read, so the grid shows the library's own small copy whatever the size.
 * A thumbnail is a cache: an image sharp cannot read gets none, and the grid falls back to the file.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileDurably, type FileIo } from './atomic-file.ts';

export const THUMB_SIZE = 256;
export const MAX_INPUT_PIXELS = 100_000_000;

export const thumbPathFor = (dir: string, sha256: string) =>
  join(dir, 'thumbs', `${sha256}-${THUMB_SIZE}.webp`);

/** Generations are pixel art shown as they are up to 256 px; photos always get one. */
export const needsThumbnail = (width: number, height: number, kind: 'generation' | 'photo') =>
  kind === 'photo' || Math.max(width, height) > THUMB_SIZE;

async function encodeThumbnail(input: Uint8Array | string): Promise<Buffer | null> {
  try {
    return await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate() // EXIF orientation
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    return null; // unreadable or over the pixel limit: no thumbnail, the file is shown instead
  }
}

/** Writes the thumbnail of `input` (bytes or a file path); false when the image is unreadable. */
export async function makeThumbnail(
  dir: string,
  sha256: string,
  input: Uint8Array | string,
  io?: FileIo,
): Promise<boolean> {
  const webp = await encodeThumbnail(input);
  if (webp === null) return false;
  await mkdir(join(dir, 'thumbs'), { recursive: true });
  await writeFileDurably(thumbPathFor(dir, sha256), webp, io);
  return true;
}
