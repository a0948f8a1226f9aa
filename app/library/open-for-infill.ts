/**
 * Opens an image file for infill without importing it: the bytes are checked to be an image
 * Tessera can decode, then kept in the library's object store by their sha256, with no item
 * (the library grid never shows them). The queued infill and any later replay read them back
 * by that hash, and the result's recipe names it as its parent.
 */
import { basename } from 'node:path';
import sharp from 'sharp';
import { MAX_OPEN_FILE_BYTES, type OpenedFileView } from '../common/contract.ts';
import type { Gallery } from '../gallery/index.ts';
import { FileReadError, readRegularFile } from '../jobs/read-regular-file.ts';
import { ImageReadError, MAX_INPUT_PIXELS, toModelRgb } from '../media/load-image.ts';
import { sniffImageType } from '../media/sniff.ts';

const LIMIT = `${MAX_OPEN_FILE_BYTES / 2 ** 20} MiB`;

/** Reads a file the user picked, with errors that name it and say what to do. */
export async function readPickedFile(path: string): Promise<Buffer> {
  try {
    return await readRegularFile(path, MAX_OPEN_FILE_BYTES);
  } catch (err) {
    if (err instanceof FileReadError) throw new ImageReadError(`${path} ${err.message}`);
    throw err;
  }
}

export async function keepOutsideImage(
  gallery: Gallery,
  file: { name: string; bytes: Buffer },
): Promise<OpenedFileView> {
  const name = basename(file.name);
  if (file.bytes.length === 0) throw new ImageReadError(`${name} is empty`);
  if (file.bytes.length > MAX_OPEN_FILE_BYTES)
    throw new ImageReadError(`${name} is over ${LIMIT}: downscale it first`);
  const type = sniffImageType(file.bytes.subarray(0, 64));
  if (type === null)
    throw new ImageReadError(
      `${name} is not an image Tessera can read: open a PNG, JPEG, WebP, GIF, TIFF or AVIF file`,
    );
  // Decoding it whole now turns a truncated or damaged file into an error here, not in the job.
  await toModelRgb(file.bytes, 8, name);
  const meta = await sharp(file.bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  const turned = (meta.orientation ?? 1) >= 5;
  const { sha256 } = await gallery.storeBytes(file.bytes);
  return {
    sha256,
    name,
    mime: type.mime,
    width: (turned ? meta.height : meta.width) ?? 0,
    height: (turned ? meta.width : meta.height) ?? 0,
    bytes: file.bytes.length,
  };
}
