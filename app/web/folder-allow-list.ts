/**
 * Web mode never reads or writes a path a page names unless the user allowed its folder when
 * starting the server (`tessera serve --allow-folder DIR`, repeatable). The desktop app gets
 * paths from its own native dialogs; a browser page has no such dialogs, and anything a page
 * sends could have been sent by another page. So every channel that carries a path is checked
 * here before it runs: the path must be absolute and, once its links are resolved, inside an
 * allowed folder. Exports are downloads instead (app/web/export-download.ts), and an image
 * opened for infill is uploaded.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { CHANNELS, type Channel } from '../common/contract.ts';

/** The channels whose requests name paths on this machine, and which paths they are. */
const PATHS_OF: Partial<Record<Channel, (request: never) => string[]>> = {
  'models:import': (r: { path: string }) => [r.path],
  'jobs:submitCaptionFolder': (r: { folder: string }) => [r.folder],
  'gallery:import': (r: { paths: string[] }) => r.paths,
  'gallery:export': (r: { to: string }) => [r.to],
  'infill:openFile': (r: { from: string; path?: string }) =>
    r.from === 'path' && r.path !== undefined ? [r.path] : [],
};

export class AllowListError extends Error {}

/** Each folder resolved to its real path; a folder that does not exist stops the server early. */
export async function resolveAllowedFolders(folders: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const folder of folders) {
    let real: string;
    try {
      real = await realpath(resolve(folder));
      if (!(await stat(real)).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new AllowListError(
        `--allow-folder ${folder}: no such folder; name a folder that exists`,
      );
    }
    out.push(real);
  }
  return out;
}

/** The real path of `path`, or of its nearest existing parent plus the rest when it does not exist yet. */
async function realTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realTarget(parent), basename(path));
  }
}

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** The folder to suggest allowing: the folder itself for channels that take a folder. */
function folderToAllow(channel: string, path: string): string {
  return channel === 'jobs:submitCaptionFolder' || channel === 'models:import'
    ? path
    : dirname(path);
}

/**
 * Why `channel` may not run with `payload` in web mode, or null when it may (no path, or every
 * path inside an allowed folder). A payload that does not parse is left to the router to refuse.
 */
export async function refusePaths(
  channel: string,
  payload: unknown,
  allowed: readonly string[],
): Promise<string | null> {
  const pathsOf = PATHS_OF[channel as Channel];
  if (pathsOf === undefined) return null;
  const parsed = CHANNELS[channel as Channel].request.safeParse(payload ?? {});
  if (!parsed.success) return null;
  const paths = pathsOf(parsed.data as never);
  for (const path of paths) {
    if (!isAbsolute(path))
      return `${JSON.stringify(path)} is not a full path: give the whole path, starting at the root`;
    const real = await realTarget(resolve(path));
    if (allowed.some((folder) => isInside(real, folder))) continue;
    const start =
      allowed.length === 0
        ? 'this studio was started without --allow-folder, so from the browser it reads and writes no folder on this machine'
        : `${JSON.stringify(path)} is outside the folders this studio was allowed to use (${allowed.join(', ')})`;
    const fix = `restart it with \`tessera serve --allow-folder ${JSON.stringify(folderToAllow(channel, path))}\` (repeatable)`;
    if (channel === 'gallery:export')
      return `${start}. Download the export from the studio instead, or ${fix}`;
    if (channel === 'infill:openFile')
      return `${start}. Upload the image from the studio instead, or ${fix}`;
    return `${start}. To use that folder, ${fix}`;
  }
  return null;
}
