/**
 * Reading a Hugging Face-style hub through @huggingface/hub: the commit a revision names
 * (modelInfo), the repository's files with their sizes and LFS sha256 (listFiles, the tree
 * API), and one file's bytes from an offset (downloadFile, whose blob fetches a slice with a
 * Range request). Only what the library leaves to its caller is written here: the endpoint
 * chosen the way the hub's own clients choose it (HF_ENDPOINT), a cancel signal passed to every
 * request through the library's `fetch` option, and the library's HTTP errors turned into
 * sentences that say what to do.
 */
import { downloadFile, HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import { PullError } from './pull-error.ts';

export const DEFAULT_HUB = 'https://huggingface.co';

/** The hub's address: an explicit one, else HF_ENDPOINT, else huggingface.co. */
export function hubEndpoint(explicit?: string): string {
  const chosen = explicit ?? process.env.HF_ENDPOINT;
  const url = chosen === undefined || chosen === '' ? DEFAULT_HUB : chosen;
  return url.replace(/\/+$/, '');
}

/** OWNER/NAME as the hub spells repository names; anything else is refused before any request. */
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export function checkRepoName(repo: string): string {
  if (!REPO.test(repo) || repo.includes('..'))
    throw new PullError(
      'bad-name',
      `"${repo}" is not a repository name: give it as OWNER/NAME, e.g. deepseek-ai/Janus-Pro-1B`,
    );
  return repo;
}

export interface HubFile {
  path: string;
  size: number;
  /** The LFS object's sha256, for files stored in LFS (graphs, weights). */
  sha256: string | null;
  /** The git blob id (sha1 of "blob SIZE\0" and the bytes), for files kept in git itself. */
  gitOid: string | null;
}

export interface Hub {
  url: string;
  repo: string;
  signal?: AbortSignal;
}

const fetchFor =
  (signal: AbortSignal | undefined): typeof fetch =>
  (input, init) =>
    fetch(input, { ...init, signal });

/** What a failed request means to the user, or null when it is not the hub's answer. */
function hubRefusal(err: unknown, hub: Hub, what: string): PullError | null {
  if (err instanceof PullError) return err;
  if (hub.signal?.aborted === true)
    return new PullError('cancelled', `the pull of ${hub.repo} was cancelled`);
  if (err instanceof HubApiError) {
    if (err.statusCode === 404 || err.statusCode === 401)
      return new PullError(
        'not-found',
        `${hub.url} has no repository ${hub.repo}${what === '' ? '' : ` (or no ${what} in it)`}: check the name and revision (a private or gated repository cannot be pulled)`,
      );
    return new PullError(
      'hub-failed',
      `${hub.url} answered ${err.statusCode} for ${hub.repo}: try again later`,
      { retryable: true },
    );
  }
  if (err instanceof TypeError)
    return new PullError(
      'unreachable',
      `cannot reach ${hub.url} (${err.cause instanceof Error ? err.cause.message : err.message}): check the connection, or set HF_ENDPOINT to a hub this computer can reach`,
      { retryable: true },
    );
  return null;
}

async function asked<T>(hub: Hub, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw hubRefusal(err, hub, what) ?? err;
  }
}

/** The commit a branch, tag or commit id names, so every file comes from the same one. */
export async function resolveCommit(hub: Hub, revision: string): Promise<string> {
  const info = await asked(hub, `revision ${revision}`, () =>
    modelInfo({
      name: hub.repo,
      revision,
      hubUrl: hub.url,
      additionalFields: ['sha'],
      fetch: fetchFor(hub.signal),
    }),
  );
  const sha = (info as { sha?: unknown }).sha;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha))
    throw new PullError(
      'hub-failed',
      `${hub.url} did not say which commit ${hub.repo}@${revision} is: is HF_ENDPOINT a Hugging Face-style hub?`,
    );
  return sha;
}

/** Every file of the repository at `commit`, with its size and checksum. */
export async function listRepoFiles(hub: Hub, commit: string): Promise<HubFile[]> {
  return asked(hub, '', async () => {
    const files: HubFile[] = [];
    for await (const entry of listFiles({
      repo: hub.repo,
      revision: commit,
      recursive: true,
      hubUrl: hub.url,
      fetch: fetchFor(hub.signal),
    })) {
      if (entry.type !== 'file') continue;
      files.push({
        path: entry.path,
        size: entry.lfs?.size ?? entry.size,
        sha256: entry.lfs?.oid ?? null,
        gitOid: entry.lfs === undefined ? (entry.oid ?? null) : null,
      });
    }
    return files;
  });
}

/** The bytes of `path` from `offset` to its end, as a stream (one Range request). */
export async function fileBytesFrom(
  hub: Hub,
  commit: string,
  path: string,
  offset: number,
): Promise<ReadableStream<Uint8Array>> {
  const blob = await asked(hub, path, async () => {
    const found = await downloadFile({
      repo: hub.repo,
      path,
      revision: commit,
      hubUrl: hub.url,
      xet: false, // plain Range requests, the same for every hub
      fetch: fetchFor(hub.signal),
    });
    if (found === null) throw new HubApiError(path, 404);
    return found;
  });
  return (offset === 0 ? blob : blob.slice(offset)).stream();
}
