/**
 * Reads any image a user hands Tessera (PNG, JPEG, WebP, GIF, TIFF, AVIF; EXIF-rotated,
 * CMYK or 16-bit) into RGB uint8 at a model's resolution, flattened on white, with errors that
 * say what to do. Decompression bombs are refused by a pixel limit instead of exhausting memory.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { TesseraError } from '../common/errors.ts';

/** Why an image cannot be used, for callers that phrase it their own way. */
export type ImageProblem = 'too-many-pixels' | 'unsupported-format' | 'damaged' | 'unreadable';

export class ImageReadError extends TesseraError<'unreadable-image'> {
  constructor(
    message: string,
    readonly problem: ImageProblem = 'unreadable',
    /** the decoder's own first line, when it had one */
    readonly detail: string = '',
  ) {
    super('unreadable-image', message);
  }
}

/** 100 megapixels: far above any photo, far below what would exhaust memory. */
export const MAX_INPUT_PIXELS = 100_000_000;

export async function readImageFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageReadError(`${path} does not exist: check the path`);
    if (code === 'EACCES') throw new ImageReadError(`${path} cannot be read (permission denied)`);
    if (code === 'EISDIR') throw new ImageReadError(`${path} is a folder, not an image file`);
    throw new ImageReadError(`${path} cannot be read (${code ?? String(err)})`);
  }
}

/** What the decoder's complaint means: the one place that reads sharp's words. */
function decoderProblem(err: unknown): { problem: ImageProblem; detail: string } {
  const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  if (/pixel limit/i.test(detail)) return { problem: 'too-many-pixels', detail };
  if (/unsupported image format/i.test(detail)) return { problem: 'unsupported-format', detail };
  return { problem: 'damaged', detail };
}

/** The image's size as it is shown (after its EXIF orientation), without decoding its pixels. */
export async function readImageSize(
  bytes: Buffer,
  what: string,
): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    const turned = (meta.orientation ?? 1) >= 5;
    return {
      width: (turned ? meta.height : meta.width) ?? 0,
      height: (turned ? meta.width : meta.height) ?? 0,
    };
  } catch (err) {
    const { problem, detail } = decoderProblem(err);
    throw new ImageReadError(`${what} is not a readable image (${detail})`, problem, detail);
  }
}

export async function toModelRgb(bytes: Buffer, size: number, what: string): Promise<Uint8Array> {
  try {
    const { data, info } = await sharp(bytes, {
      limitInputPixels: MAX_INPUT_PIXELS,
      failOn: 'error',
    })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .resize(size, size, { fit: 'contain', background: '#ffffff', kernel: 'lanczos3' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3)
      throw new Error(`unexpected ${info.channels} channels`);
    return new Uint8Array(data);
  } catch (err) {
    const { problem, detail } = decoderProblem(err);
    if (problem === 'too-many-pixels') {
      throw new ImageReadError(
        `${what} is larger than ${MAX_INPUT_PIXELS / 1e6} megapixels: downscale it first`,
        problem,
        detail,
      );
    }
    throw new ImageReadError(
      `${what} is not a readable image (${detail}): use a PNG, JPEG, WebP, GIF, TIFF or AVIF file`,
      problem,
      detail,
    );
  }
}

/** A mask image: any pixel that is not black (after flattening on black) means "regenerate". */
export async function toModelMask(bytes: Buffer, size: number, what: string): Promise<Uint8Array> {
  return toMask(bytes, size, size, what);
}

/** A mask image stretched to `width`×`height` (an image's own size), one byte per pixel. */
export async function toMask(
  bytes: Buffer,
  width: number,
  height: number,
  what: string,
): Promise<Uint8Array> {
  try {
    const { data } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .flatten({ background: '#000000' })
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return Uint8Array.from(data, (v) => (v >= 128 ? 1 : 0));
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ImageReadError(
      `${what} is not a readable mask image (${message}): paint white where to regenerate, black elsewhere`,
    );
  }
}
