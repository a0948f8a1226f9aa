/**
 * Brings image files into the library. A PNG with a Tessera recipe comes in as the generation
 * it is (with its lineage, when the parent is already in the library); an image with another
 * tool's recipe (AUTOMATIC1111's infotext in a PNG, JPEG or WebP, ComfyUI's graph in a PNG)
 * comes in as a generation with that recipe recovered;
 * any other image comes in as a photo, with a caption its owner wrote (embedded, or in its XMP
 * sidecar) kept as theirs.
 * Every file gets its own outcome: one bad file never stops an import.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { recipeSchema } from '../common/recipe.ts';
import type { Gallery } from '../gallery/index.ts';
import { scanFolder } from '../jobs/folder-scan.ts';
import { readRegularFile } from '../jobs/read-regular-file.ts';
import { MAX_INPUT_PIXELS } from '../media/load-image.ts';
import { readPhotoMetadata } from '../media/photo-metadata.ts';
import { readPngText } from '../media/png.ts';
import { sniffImageType } from '../media/sniff.ts';
import { readForeignRecipe } from './foreign-recipe.ts';
import { keepOwnerCaption, readOwnerCaption } from './owner-caption.ts';

export interface ImportOutcome {
  path: string;
  status: 'imported' | 'exists' | 'failed';
  assetId: number | null;
  kind: 'generation' | 'photo' | null;
  message: string | null;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function pngTexts(bytes: Buffer): Record<string, string> {
  try {
    return readPngText(bytes);
  } catch {
    return {}; // unreadable text chunks: the pixels may still be fine
  }
}

const failed = (path: string, message: string): ImportOutcome => ({
  path,
  status: 'failed',
  assetId: null,
  kind: null,
  message,
});

export async function importFile(gallery: Gallery, path: string): Promise<ImportOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(path);
  } catch (err) {
    return failed(path, messageOf(err));
  }
  return importBytes(gallery, path, bytes, path);
}

/**
 * Imports one file's bytes (read from disk, or handed over by the studio when files are
 * dropped onto it); `path` names it in the outcome. `sidecarOf` is the file on disk whose XMP
 * sidecar may hold its owner's caption: null for bytes with no file beside them.
 */
export async function importBytes(
  gallery: Gallery,
  path: string,
  bytes: Buffer,
  sidecarOf: string | null = null,
): Promise<ImportOutcome> {
  const fail = (message: string) => failed(path, message);
  if (bytes.length === 0) return fail('is empty');
  const type = sniffImageType(bytes.subarray(0, 64));
  if (type === null)
    return fail('is not an image Tessera can read (PNG, JPEG, WebP, GIF, TIFF, AVIF)');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const existing = gallery.findBySha(sha256);
  if (existing !== null)
    return {
      path,
      status: 'exists',
      assetId: existing,
      kind: null,
      message: 'already in the library',
    };
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).metadata();
    // metadata() reads headers only; decoding one pixel row proves the image data is usable.
    await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .resize(8, 8, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (err) {
    const why = messageOf(err).split('\n')[0]!;
    return fail(
      /pixel limit/i.test(why)
        ? `is larger than ${MAX_INPUT_PIXELS / 1e6} megapixels: downscale it first`
        : `is damaged or truncated (${why})`,
    );
  }
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  try {
    if (type.mime === 'image/png') {
      const texts = pngTexts(bytes);
      const recipe =
        texts.tessera === undefined ? null : recipeSchema.safeParse(safeJson(texts.tessera));
      if (recipe?.success === true) {
        const r = recipe.data;
        const parentId = r.parent === null ? null : gallery.findBySha(r.parent.sha256);
        const assetId = await gallery.addGeneration({
          png: bytes,
          recipe: r,
          codes: [],
          jobId: null,
          durationMs: null,
          width,
          height,
          parent:
            parentId === null || r.parent === null
              ? null
              : { assetId: parentId, op: 'infill', maskSha256: r.parent.maskSha256 },
        });
        return { path, status: 'imported', assetId, kind: 'generation', message: null };
      }
    }
    const photo = await readPhotoMetadata(bytes);
    const owner = await readOwnerCaption(sidecarOf, photo);
    const foreign = await readForeignRecipe(bytes, type.mime);
    if (foreign !== null) {
      const assetId = await gallery.addForeignGeneration({ bytes, width, height, ...foreign });
      if (owner !== null) keepOwnerCaption(gallery, assetId, owner);
      return { path, status: 'imported', assetId, kind: 'generation', message: null };
    }
    const { assetId } = await gallery.addPhoto({
      bytes,
      sha256,
      mime: type.mime,
      width,
      height,
      size: bytes.length,
      exif: photo.exif,
      origin: 'imported',
    });
    if (owner !== null) keepOwnerCaption(gallery, assetId, owner);
    return { path, status: 'imported', assetId, kind: 'photo', message: null };
  } catch (err) {
    return fail(messageOf(err));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Files and folders (recursively when asked), each reported as it is imported. */
export async function* importPaths(
  gallery: Gallery,
  paths: readonly string[],
  recursive: boolean,
): AsyncGenerator<ImportOutcome> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      yield {
        path,
        status: 'failed',
        assetId: null,
        kind: null,
        message: code === 'ENOENT' ? 'does not exist: check the path' : `cannot be read (${code})`,
      };
      continue;
    }
    if (!info.isDirectory()) {
      yield await importFile(gallery, path);
      continue;
    }
    for await (const entry of scanFolder(path, { recursive })) {
      if (entry.type === 'file') yield await importFile(gallery, entry.path);
      else
        yield {
          path: entry.path,
          status: 'failed',
          assetId: null,
          kind: null,
          message: entry.message,
        };
    }
  }
}
