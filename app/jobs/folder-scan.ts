/**
 * Walks a photo folder and reports every image file in it (recognised by its first bytes),
 * and every entry worth telling the user about: non-images, empty files, FIFOs and sockets,
 * broken or looping links, unreadable files and folders. A hidden folder met by a recursive
 * scan is reported as skipped (it may hold photos the user expects to see captioned) unless
 * hidden entries are included; hidden files and .xmp sidecars are skipped without a word.
 *
 * A real photo folder is full of traps (taggui #60 crashed on non-images), so: special files
 * are never opened for reading (a FIFO would block forever), links are followed but a folder is
 * entered only once (by device and inode), the same file reached twice is reported once, and a
 * folder that cannot be listed is reported while the scan goes on.
 *
 * The order is deterministic: within a folder, files by name first, then its subfolders by name.
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, readlink, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { TesseraError } from '../common/errors.ts';
import { SNIFF_LENGTH, sniffImageType } from '../media/sniff.ts';

export type ScanProblemReason =
  | 'not-an-image'
  | 'empty'
  | 'special-file'
  | 'dangling-link'
  | 'link-loop'
  | 'unreadable'
  | 'unreadable-folder'
  | 'too-large'
  | 'vanished'
  /** left out because its name starts with a dot; `includeHidden` scans it */
  | 'hidden-folder';

export interface ScannedFile {
  type: 'file';
  path: string;
  /** Relative to the scanned root, '/'-separated, through links as the user sees them. */
  relPath: string;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  mime: string;
}

export interface ScanProblem {
  type: 'problem';
  path: string;
  relPath: string;
  reason: ScanProblemReason;
  /** For the user: what is wrong and what to do. */
  message: string;
}

export type ScanEntry = ScannedFile | ScanProblem;

export interface ScanOptions {
  recursive: boolean;
  includeHidden?: boolean;
  signal?: AbortSignal;
  /** Files larger than this are reported as 'too-large'. */
  maxFileBytes?: number;
  /** How many files of one folder are examined at once. */
  concurrency?: number;
}

/** Larger files are not photos Tessera should decode: 2 GiB. */
export const MAX_SCAN_FILE_BYTES = 2 * 1024 ** 3;

export class ScanRootError extends TesseraError {
  constructor(message: string) {
    super('bad-folder', message);
  }
}

interface Folder {
  type: 'folder';
  path: string;
  relPath: string;
  key: string;
}

type Examined = ScanEntry | Folder | { type: 'skip' };

interface Walk {
  recursive: boolean;
  includeHidden: boolean;
  signal: AbortSignal | undefined;
  maxFileBytes: number;
  concurrency: number;
  /** Folders entered so far, by device:inode. */
  visitedFolders: Set<string>;
  /** Files reported so far, by device:inode. */
  reportedFiles: Set<string>;
}

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);
const keyOf = (s: Pick<Stats, 'dev' | 'ino'>) => `${s.dev}:${s.ino}`;
const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function problem(
  path: string,
  relPath: string,
  reason: ScanProblemReason,
  message: string,
): ScanProblem {
  return { type: 'problem', path, relPath, reason, message };
}

function specialKind(s: Stats | Dirent): string {
  if (s.isFIFO()) return 'named pipe (FIFO)';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'device';
  return 'special file';
}

function specialFile(path: string, relPath: string, s: Stats | Dirent): ScanProblem {
  return problem(
    path,
    relPath,
    'special-file',
    `${relPath} is a ${specialKind(s)}, not a file: skipped`,
  );
}

function unreadable(path: string, relPath: string, err: unknown): ScanProblem {
  const code = errorCode(err);
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
  return problem(
    path,
    relPath,
    'unreadable',
    `${relPath} cannot be read (${why}): give your user read access to include it`,
  );
}

function vanished(path: string, relPath: string): ScanProblem {
  const badName = relPath.includes('\ufffd')
    ? '; its name is not valid UTF-8, rename it to include it'
    : '';
  return problem(
    path,
    relPath,
    'vanished',
    `${relPath} disappeared during the scan${badName}: skipped`,
  );
}

/** Opens without blocking, checks the opened thing is still a regular file, reads its head. */
async function examineFile(walk: Walk, path: string, relPath: string): Promise<Examined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') return vanished(path, relPath);
    if (code === 'ENXIO')
      return problem(path, relPath, 'special-file', `${relPath} is a socket, not a file: skipped`);
    return unreadable(path, relPath, err);
  }
  try {
    const info = await handle.stat();
    // It may have been swapped for a FIFO or device between listing and opening.
    if (!info.isFile()) return specialFile(path, relPath, info);
    if (walk.reportedFiles.has(keyOf(info))) return { type: 'skip' };
    if (info.size === 0)
      return problem(
        path,
        relPath,
        'empty',
        `${relPath} is empty (0 bytes), perhaps an unfinished copy: skipped`,
      );
    if (info.size > walk.maxFileBytes) {
      const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
      return problem(
        path,
        relPath,
        'too-large',
        `${relPath} is ${gib(info.size)} GiB, over the ${gib(walk.maxFileBytes)} GiB limit for a photo: skipped`,
      );
    }
    const head = new Uint8Array(SNIFF_LENGTH);
    const { bytesRead } = await handle.read(head, 0, SNIFF_LENGTH, 0);
    const type = sniffImageType(head.subarray(0, bytesRead));
    if (!type)
      return problem(
        path,
        relPath,
        'not-an-image',
        `${relPath} is not an image Tessera can read (its content is not PNG, JPEG, GIF, WebP, TIFF, AVIF/HEIC or BMP): skipped`,
      );
    return {
      type: 'file',
      path,
      relPath,
      size: info.size,
      mtimeMs: info.mtimeMs,
      dev: info.dev,
      ino: info.ino,
      mime: type.mime,
    };
  } catch (err) {
    return unreadable(path, relPath, err);
  } finally {
    await handle.close();
  }
}

/** Follows a link (or an entry of unknown type) and says what it leads to. */
async function examineTarget(
  path: string,
  relPath: string,
  isLink: boolean,
): Promise<Stats | ScanProblem> {
  try {
    return await stat(path);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ELOOP')
      return problem(
        path,
        relPath,
        'link-loop',
        `${relPath} is a link that leads back to itself: skipped`,
      );
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (!isLink) return vanished(path, relPath);
      const target = await readlink(path).catch(() => null);
      if (target === null) return vanished(path, relPath);
      return problem(
        path,
        relPath,
        'dangling-link',
        `${relPath} is a link to ${target}, which does not exist: fix or remove the link`,
      );
    }
    return unreadable(path, relPath, err);
  }
}

async function examine(walk: Walk, dir: string, relDir: string, entry: Dirent): Promise<Examined> {
  const path = join(dir, entry.name);
  const relPath = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
  try {
    let kind: Stats | Dirent = entry;
    // Links are followed; so is an entry whose type the file system did not report (DT_UNKNOWN).
    const typed = entry.isFile() || entry.isDirectory() || specialKind(entry) !== 'special file';
    if (entry.isSymbolicLink() || !typed) {
      const target = await examineTarget(path, relPath, entry.isSymbolicLink());
      if ('type' in target) return target;
      kind = target;
    }
    if (kind.isDirectory()) {
      if (!walk.recursive) return { type: 'skip' };
      const target = 'dev' in kind ? kind : await examineTarget(path, relPath, false);
      if ('type' in target) return target;
      return { type: 'folder', path, relPath, key: keyOf(target) };
    }
    if (kind.isFile()) return await examineFile(walk, path, relPath);
    return specialFile(path, relPath, kind);
  } catch (err) {
    return unreadable(path, relPath, err);
  }
}

/** Runs `fn` over `items` with at most `window` in flight, yielding results in input order. */
async function* inOrder<T, R>(items: T[], fn: (item: T) => Promise<R>, window: number) {
  const pending: Promise<R>[] = [];
  let next = 0;
  while (next < items.length && pending.length < window) pending.push(fn(items[next++]!));
  while (pending.length > 0) {
    const result = await pending.shift()!;
    if (next < items.length) pending.push(fn(items[next++]!));
    yield result;
  }
}

function isSkippedName(walk: Walk, name: string): boolean {
  if (!walk.includeHidden && name.startsWith('.')) return true;
  return extname(name).toLowerCase() === '.xmp'; // sidecars belong to their photos
}

async function* walkFolder(
  walk: Walk,
  folder: Folder,
  ancestors: Set<string>,
): AsyncGenerator<ScanEntry> {
  walk.signal?.throwIfAborted();
  let entries: Dirent[];
  try {
    entries = await readdir(folder.path, { withFileTypes: true });
  } catch (err) {
    if (folder.relPath === '') throw rootError(folder.path, err);
    const code = errorCode(err);
    if (code === 'ENOENT') {
      yield vanished(folder.path, folder.relPath);
      return;
    }
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    yield problem(
      folder.path,
      folder.relPath,
      'unreadable-folder',
      `the folder ${folder.relPath} cannot be read (${why}): its photos were skipped; give your user access to include them`,
    );
    return;
  }
  const visible = entries.filter((e) => !isSkippedName(walk, e.name)).sort(byName);
  const subfolders: Folder[] = [];
  const examined = inOrder(
    visible,
    (e) => examine(walk, folder.path, folder.relPath, e),
    walk.concurrency,
  );
  for await (const result of examined) {
    walk.signal?.throwIfAborted();
    if (result.type === 'skip') continue;
    if (result.type === 'folder') {
      subfolders.push(result);
      continue;
    }
    if (result.type === 'file') {
      const key = `${result.dev}:${result.ino}`;
      if (walk.reportedFiles.has(key)) continue; // a second link or hard link to it
      walk.reportedFiles.add(key);
    }
    yield result;
  }
  // Subfolders in name order: the hidden ones are named as skipped, the others entered.
  if (walk.recursive && !walk.includeHidden)
    for (const e of entries.filter((e) => e.isDirectory() && e.name.startsWith('.')).sort(byName)) {
      const relPath = folder.relPath === '' ? e.name : `${folder.relPath}/${e.name}`;
      yield problem(
        join(folder.path, e.name),
        relPath,
        'hidden-folder',
        `${relPath} is a hidden folder: skipped (include hidden folders to caption its photos)`,
      );
    }
  for (const sub of subfolders) {
    if (ancestors.has(sub.key)) {
      yield problem(
        sub.path,
        sub.relPath,
        'link-loop',
        `${sub.relPath} is a link to a folder that contains it: not followed, to avoid scanning forever`,
      );
      continue;
    }
    if (walk.visitedFolders.has(sub.key)) continue; // already scanned through another path
    walk.visitedFolders.add(sub.key);
    ancestors.add(sub.key);
    yield* walkFolder(walk, sub, ancestors);
    ancestors.delete(sub.key);
  }
}

function rootError(root: string, err: unknown): ScanRootError {
  const code = errorCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new ScanRootError(`${root} does not exist: check the folder path`);
  if (code === 'EACCES' || code === 'EPERM')
    return new ScanRootError(
      `${root} cannot be read (permission denied): pick a folder your user can open`,
    );
  if (code === 'ELOOP')
    return new ScanRootError(`${root} is a link that leads back to itself: pick the real folder`);
  return new ScanRootError(`${root} cannot be read (${code})`);
}

/**
 * Scans `root` for image files. Throws ScanRootError if the root is missing, not a folder or
 * unreadable; everything wrong below it is reported as a 'problem' entry and the scan goes on.
 * Stops with the signal's reason when `signal` is aborted.
 */
export async function* scanFolder(root: string, options: ScanOptions): AsyncGenerator<ScanEntry> {
  const path = resolve(root);
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    throw rootError(path, err);
  }
  if (!info.isDirectory()) {
    const what = info.isFile() ? 'a file' : `a ${specialKind(info)}`;
    throw new ScanRootError(
      `${path} is ${what}, not a folder: pass the folder that holds the photos`,
    );
  }
  const walk: Walk = {
    recursive: options.recursive,
    includeHidden: options.includeHidden ?? false,
    signal: options.signal,
    maxFileBytes: options.maxFileBytes ?? MAX_SCAN_FILE_BYTES,
    concurrency: Math.max(1, options.concurrency ?? 16),
    visitedFolders: new Set([keyOf(info)]),
    reportedFiles: new Set(),
  };
  yield* walkFolder(
    walk,
    { type: 'folder', path, relPath: '', key: keyOf(info) },
    new Set([keyOf(info)]),
  );
}
