/**
 * `tessera models pull OWNER/NAME`: fetches a repository Tessera runs from a Hugging Face-style
 * hub into <home>/downloads/<owner>--<name>/<commit>/, then installs it with the same verified
 * import as a local folder (import-model.ts). Every file comes from the one commit the
 * revision named when the pull began, so a resumed pull never mixes two versions; the
 * free space is checked before the first byte (the download, and the installed copy beside
 * it); an interrupted transfer is resumed a few times on its own, and again by the next pull.
 */
import { copyFile, mkdir, readFile, rm, rmdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseManifest } from '../../common/model-manifest.ts';
import { importModelFolder, type ImportedModel, ModelImportError } from '../import-model.ts';
import {
  checkRepoName,
  hubEndpoint,
  listRepoFiles,
  resolveCommit,
  type Hub,
  type HubFile,
} from './hub.ts';
import { chooseManifest, DEFAULT_DTYPE, filesToFetch } from './plan.ts';
import { PullError } from './pull-error.ts';
import { RateMeter } from './rate.ts';
import { bytesOnDisk, fetchFile, localPath } from './transfer.ts';

export interface PullProgress {
  phase: 'resolving' | 'downloading' | 'importing';
  /** The file being fetched, while downloading. */
  file: string | null;
  doneBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export interface PullOptions {
  repo: string;
  /** A branch, tag or commit; main by default. */
  revision?: string;
  dtype?: string;
  /** The hub's address; HF_ENDPOINT or huggingface.co by default. */
  hubUrl?: string;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Free bytes where the data folder lives (the real disk's by default). */
  freeBytes?: (dir: string) => Promise<number>;
  /** How many times an interrupted transfer is resumed before the pull gives up. */
  retries?: number;
  machine?: { memoryBytes: number };
}

export interface PulledModel extends ImportedModel {
  repo: string;
  commit: string;
  dtype: string;
  /** Bytes fetched by this pull (a resumed pull fetches only what was missing). */
  fetchedBytes: number;
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;

/** Free bytes on the disk holding `dir` (or the nearest folder above it that exists). */
export async function diskFreeBytes(dir: string): Promise<number> {
  for (let d = dir; ; d = dirname(d)) {
    const s = await statfs(d).catch(() => null);
    if (s !== null) return s.bavail * s.bsize;
    if (dirname(d) === d) return Number.POSITIVE_INFINITY;
  }
}

export function downloadFolder(home: string, repo: string, commit: string): string {
  return join(home, 'downloads', repo.replace('/', '--'), commit);
}

async function checkSpace(
  opts: PullOptions,
  home: string,
  total: number,
  done: number,
): Promise<void> {
  const free = await (opts.freeBytes ?? diskFreeBytes)(home);
  const need = total - done + total; // the rest of the download, and the installed copy
  if (free >= need) return;
  throw new PullError(
    'disk-full',
    `${opts.repo} needs ${gib(need)} free (${gib(total - done)} to download, ${gib(total)} for the installed copy), but the disk holding ${home} has ${gib(free)}: free some space and pull again${done > 0 ? ` (the ${gib(done)} already downloaded are kept)` : ''}`,
  );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fetchWithRetries(fetchOnce: () => Promise<void>, retries: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchOnce();
    } catch (err) {
      if (!(err instanceof PullError) || err.code !== 'interrupted' || attempt >= retries)
        throw err;
      await pause(500 * 2 ** attempt);
    }
  }
}

export async function pullModel(home: string, opts: PullOptions): Promise<PulledModel> {
  const repo = checkRepoName(opts.repo);
  const dtype = opts.dtype ?? DEFAULT_DTYPE;
  const hub: Hub = { url: hubEndpoint(opts.hubUrl), repo, signal: opts.signal };
  const report = opts.onProgress ?? (() => {});
  report({
    phase: 'resolving',
    file: null,
    doneBytes: 0,
    totalBytes: 0,
    bytesPerSecond: 0,
    etaSeconds: null,
  });

  const commit = await resolveCommit(hub, opts.revision ?? 'main');
  const tree = await listRepoFiles(hub, commit);
  const manifestFile = chooseManifest(repo, tree, dtype);
  const dir = downloadFolder(home, repo, commit);
  await mkdir(dir, { recursive: true });
  const target = { hub, commit, dir };
  await fetchWithRetries(() => fetchFile(target, manifestFile, () => {}), opts.retries ?? 2);
  const parsed = parseManifest(
    await readFile(localPath(dir, manifestFile), 'utf8'),
    `the ${manifestFile.path} of ${repo}`,
  );
  if (!parsed.ok)
    throw new PullError('unsupported', `${parsed.error.message} (a newer Tessera may read it)`);
  const needed: HubFile[] = filesToFetch(repo, tree, parsed.value);

  const total = needed.reduce((sum, f) => sum + f.size, 0);
  let done = 0;
  for (const f of needed) done += await bytesOnDisk(dir, f);
  await checkSpace(opts, home, total, done);

  const meter = new RateMeter();
  let fetched = 0;
  let lastReport = 0;
  for (const f of needed) {
    const progress = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastReport < 100) return;
      lastReport = now;
      report({
        phase: 'downloading',
        file: f.path,
        doneBytes: done,
        totalBytes: total,
        ...meter.rate(total - done),
      });
    };
    progress(true);
    await fetchWithRetries(
      () =>
        fetchFile(target, f, (n) => {
          done += n;
          fetched += n;
          meter.add(n);
          progress(false);
        }),
      opts.retries ?? 2,
    );
    // A failed attempt's bytes stay on disk and count once: recount from the disk.
    done = 0;
    for (const g of needed) done += await bytesOnDisk(dir, g);
  }

  report({
    phase: 'importing',
    file: null,
    doneBytes: total,
    totalBytes: total,
    bytesPerSecond: 0,
    etaSeconds: 0,
  });
  if (manifestFile.path !== 'manifest.json')
    await copyFile(localPath(dir, manifestFile), join(dir, 'manifest.json'));
  let imported: ImportedModel;
  try {
    imported = await importModelFolder(home, dir, opts.machine);
  } catch (err) {
    // Installed already: the download is of no further use. Anything else keeps it, to retry.
    if (err instanceof ModelImportError && err.code === 'already-installed') await forget(dir);
    throw err;
  }
  await forget(dir);
  return { ...imported, repo, commit, dtype, fetchedBytes: fetched };
}

/** Removes a finished download, and its repository's folder once no commit is left in it. */
async function forget(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await rmdir(dirname(dir)).catch(() => {}); // not empty: another commit's partial download
}
