/**
 * Exports library items to a folder or a zip file, each with its metadata inside the file:
 * generations keep their `parameters` infotext and Tessera recipe, and every PNG or JPEG gets
 * an XMP packet with its caption, tags, rating and IPTC digital source type (trained
 * algorithmic media for generations, composite for infills), merged into the packet the file
 * already had (see export-xmp.ts). Formats that cannot carry XMP without re-encoding get a
 * `.xmp` sidecar next to them instead. Nothing is re-encoded: the pixels leave exactly as they
 * are stored.
 */
import { createWriteStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { assertFullPath, DestinationError, ensureFolder } from './ensure-folder.ts';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ZipFile } from 'yazl';
import { GalleryError, type Gallery, type ItemDetail } from '../gallery/index.ts';
import { writeFileAtomic } from '../media/atomic-write.ts';
import { embedXmp, XmpTooLargeError } from '../media/embed-xmp.ts';
import { exportXmpFor } from './export-xmp.ts';
import { TesseraError } from '../common/errors.ts';

export interface ExportedFile {
  id: number;
  name: string;
  sidecar: string | null;
}

function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
    .toLowerCase()
    .slice(0, 48);
  return s === '' ? 'image' : s;
}

/** The file's bytes with XMP embedded, or the untouched bytes plus a sidecar packet. */
async function exportedBytes(
  item: ItemDetail,
): Promise<{ bytes: Uint8Array; sidecar: string | null }> {
  if (item.filePath === null)
    throw new GalleryError(
      'not-found',
      `item ${item.id}'s file is missing: run a library check, or restore the file`,
    );
  const original = await readFile(item.filePath);
  const xmp = await exportXmpFor(item, original);
  if (item.mime === 'image/png' || item.mime === 'image/jpeg') {
    try {
      return { bytes: embedXmp(original, item.mime, xmp), sidecar: null };
    } catch (err) {
      // A JPEG whose own packet, with Tessera's properties, outgrows its one XMP segment.
      if (!(err instanceof XmpTooLargeError)) throw err;
    }
  }
  return { bytes: original, sidecar: xmp };
}

function nameFor(item: ItemDetail): string {
  const ext = item.filePath === null ? '.bin' : extname(item.filePath) || '.bin';
  return `${item.id}-${slug(item.title)}${ext}`;
}

function itemsOf(gallery: Gallery, ids: readonly number[]): ItemDetail[] {
  return ids.map((id) => {
    const item = gallery.getItem(id);
    if (item === null)
      throw new GalleryError(
        'not-found',
        `there is no library item ${id}: see \`tessera library list\``,
      );
    return item;
  });
}

/**
 * A write to the destination that failed, in words that say to choose another. The atomic
 * writer has already put its errors in words (`fromWriter`); anything else passes unchanged.
 */
function destinationProblem(err: unknown, path: string, fromWriter = false): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'a folder has that name'
        : code === 'ENOTDIR' || code === 'ENOENT'
          ? 'its folder is not there'
          : null;
  if (why !== null)
    return new DestinationError(`${path} cannot be written (${why}): choose another destination`);
  if (fromWriter && code === undefined && err instanceof Error)
    return new DestinationError(`${err.message}: choose another destination`);
  return err;
}

export async function exportToFolder(
  gallery: Gallery,
  ids: readonly number[],
  folder: string,
): Promise<ExportedFile[]> {
  const items = itemsOf(gallery, ids);
  await ensureFolder(folder);
  const written: ExportedFile[] = [];
  for (const item of items) {
    const name = nameFor(item);
    const { bytes, sidecar } = await exportedBytes(item);
    try {
      await writeFileAtomic(join(folder, name), bytes);
      if (sidecar !== null)
        await writeFileAtomic(join(folder, `${name}.xmp`), Buffer.from(sidecar));
    } catch (err) {
      throw destinationProblem(err, join(folder, name), true);
    }
    written.push({ id: item.id, name, sidecar: sidecar === null ? null : `${name}.xmp` });
  }
  return written;
}

/** Adds the items to `zip` (and ends it): the entries of a zip export, wherever it goes. */
async function addToZip(zip: ZipFile, items: readonly ItemDetail[]): Promise<ExportedFile[]> {
  const written: ExportedFile[] = [];
  for (const item of items) {
    const name = nameFor(item);
    const { bytes, sidecar } = await exportedBytes(item);
    const mtime = new Date(item.createdAt);
    // Already-compressed images gain nothing from deflate; store them as they are.
    zip.addBuffer(Buffer.from(bytes), name, { mtime, compress: false });
    if (sidecar !== null) zip.addBuffer(Buffer.from(sidecar), `${name}.xmp`, { mtime });
    written.push({ id: item.id, name, sidecar: sidecar === null ? null : `${name}.xmp` });
  }
  zip.end();
  return written;
}

/**
 * The zip export as a stream nobody writes to disk (web mode hands it to the browser as a
 * download). Every item is read before the stream is returned, so a missing item or file is
 * an error before the first byte is sent.
 */
export async function exportZipStream(
  gallery: Gallery,
  ids: readonly number[],
): Promise<{ stream: NodeJS.ReadableStream; files: ExportedFile[] }> {
  const zip = new ZipFile();
  const files = await addToZip(zip, itemsOf(gallery, ids));
  return { stream: zip.outputStream, files };
}

/** A zip written to a temporary name and renamed when complete: never a half-written zip. */
export async function exportToZip(
  gallery: Gallery,
  ids: readonly number[],
  zipPath: string,
): Promise<ExportedFile[]> {
  assertFullPath(zipPath);
  const items = itemsOf(gallery, ids);
  await ensureFolder(dirname(zipPath));
  const tmp = join(dirname(zipPath), `.${basename(zipPath)}.${randomBytes(6).toString('hex')}.tmp`);
  const zip = new ZipFile();
  const out = createWriteStream(tmp);
  const finished = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject);
  });
  zip.outputStream.pipe(out);
  try {
    const written = await addToZip(zip, items);
    await finished;
    const handle = await open(tmp, 'r+');
    await handle.sync();
    await handle.close();
    await rename(tmp, zipPath);
    return written;
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC')
      throw new TesseraError('disk-full', `the disk is full: free some space to write ${zipPath}`, {
        retryable: true,
      });
    throw destinationProblem(err, zipPath);
  }
}
