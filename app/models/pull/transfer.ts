/**
 * Fetches one file of a pull into the download folder. The bytes go to `<file>.part` beside
 * the target, so an interrupted transfer (a cut connection, a cancel, a restart of the
 * program) keeps them and the next pull asks only for the rest, with a Range request. The
 * finished file is checked against the hub's listing — its size, and its LFS sha256 (or the
 * git blob id of a small file kept in git) — before it is renamed into place; a file that does
 * not match is deleted, and nothing else is lost.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { fileBytesFrom, type Hub, type HubFile } from './hub.ts';
import { PullError } from './pull-error.ts';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Where a listed file lands in the download folder; a path leading out is refused. */
export function localPath(dir: string, file: HubFile): string {
  const target = resolve(dir, file.path);
  const inside = relative(resolve(dir), target);
  if (
    inside === '' ||
    inside.startsWith('..') ||
    inside.startsWith(sep) ||
    file.path.includes('\\')
  )
    throw new PullError(
      'unsupported',
      `the hub listed a file outside the repository: ${file.path}`,
    );
  return target;
}

const sizeOf = async (path: string) => (await stat(path).catch(() => null))?.size ?? null;

/** Bytes of this file already on disk, finished or partial (what a resume starts from). */
export async function bytesOnDisk(dir: string, file: HubFile): Promise<number> {
  const target = localPath(dir, file);
  if ((await sizeOf(target)) === file.size) return file.size;
  return Math.min((await sizeOf(`${target}.part`)) ?? 0, file.size);
}

function checksumFor(file: HubFile): { hash: Hash; expected: string; kind: string } {
  if (file.sha256 !== null)
    return { hash: createHash('sha256'), expected: file.sha256, kind: 'sha256' };
  if (file.gitOid !== null) {
    const hash = createHash('sha1').update(`blob ${file.size}\0`);
    return { hash, expected: file.gitOid, kind: 'git blob id' };
  }
  throw new PullError(
    'unsupported',
    `the hub gives no checksum for ${file.path}, so it cannot be verified: is HF_ENDPOINT a Hugging Face-style hub?`,
  );
}

async function hashExisting(hash: Hash, path: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(path, { end: bytes - 1 }))
    hash.update(chunk as Buffer);
}

export interface TransferTarget {
  hub: Hub;
  commit: string;
  dir: string;
}

/** Fetches `file` (or its missing tail); `onBytes` hears every chunk written. */
export async function fetchFile(
  t: TransferTarget,
  file: HubFile,
  onBytes: (n: number) => void,
): Promise<void> {
  const target = localPath(t.dir, file);
  if ((await sizeOf(target)) === file.size) return; // checked when it was renamed into place
  const part = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  let offset = (await sizeOf(part)) ?? 0;
  if (offset > file.size) {
    await rm(part); // longer than the file: not a prefix of it
    offset = 0;
  }
  const { hash, expected, kind } = checksumFor(file);
  await hashExisting(hash, part, offset);
  let written = offset;
  if (offset < file.size) {
    const handle = await open(part, 'a');
    try {
      const body = Readable.fromWeb(
        (await fileBytesFrom(
          t.hub,
          t.commit,
          file.path,
          offset,
        )) as import('node:stream/web').ReadableStream,
      );
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        await handle.write(bytes);
        hash.update(bytes);
        written += bytes.length;
        onBytes(bytes.length);
      }
    } catch (err) {
      throw stopped(err, t, file, written);
    } finally {
      await handle.close();
    }
  }
  if (written < file.size)
    throw stopped(new Error(`the hub sent ${written} of ${file.size} bytes`), t, file, written);
  if (written > file.size || hash.digest('hex') !== expected) {
    await rm(part, { force: true });
    throw new PullError(
      'checksum',
      `${file.path} from ${t.hub.repo} does not match the ${kind} the hub lists for it: the damaged copy was deleted (the other files are kept); pull again to fetch it afresh`,
      { retryable: true },
    );
  }
  await rename(part, target);
}

/** What an unfinished transfer means: cancelled, disk full or interrupted, bytes kept. */
function stopped(err: unknown, t: TransferTarget, file: HubFile, written: number): PullError {
  if (err instanceof PullError && err.code !== 'not-found') return err;
  const kept = `${mib(written)} of ${mib(file.size)} of ${file.path} are kept`;
  if (t.hub.signal?.aborted === true)
    return new PullError(
      'cancelled',
      `the pull of ${t.hub.repo} was cancelled; ${kept}: pull again to resume`,
    );
  if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
    return new PullError(
      'disk-full',
      `the disk filled up while fetching ${t.hub.repo}; ${kept}: free some space and pull again to resume`,
    );
  const why =
    err instanceof Error
      ? err.cause instanceof Error
        ? err.cause.message
        : err.message
      : String(err);
  return new PullError(
    'interrupted',
    `the transfer of ${file.path} from ${t.hub.repo} stopped (${why}); ${kept} in ${t.dir}: pull again to resume`,
    { retryable: true },
  );
}
