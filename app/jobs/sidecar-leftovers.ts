/**
 * Removes the temporary sidecars an interrupted caption job left in the user's folders.
 *
 * A sidecar is written as `.<photo>.xmp.<12 hex>.tmp` and then renamed over `<photo>.xmp`
 * (media/atomic-write.ts); a kill -9 or power cut between the two leaves the complete temporary
 * file behind, hidden but taking space and confusing sync tools. A temporary file is removed
 * only when it is recognisably one of those: a regular file, named exactly so, beside the photo
 * whose sidecar it was becoming. Nothing else in the folder is touched.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sidecarPathFor } from '../media/xmp.ts';

const TEMPORARY = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** The leftover temporary sidecars beside `photos`. */
export async function findSidecarLeftovers(photos: Iterable<string>): Promise<string[]> {
  const sidecarsByFolder = new Map<string, Set<string>>();
  for (const photo of photos) {
    const folder = dirname(photo);
    const names = sidecarsByFolder.get(folder) ?? new Set<string>();
    names.add(basename(sidecarPathFor(photo)));
    sidecarsByFolder.set(folder, names);
  }
  const found: string[] = [];
  for (const [folder, sidecars] of sidecarsByFolder) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const sidecar = TEMPORARY.exec(name)?.[1];
      if (sidecar === undefined || !sidecars.has(sidecar)) continue;
      const info = await lstat(join(folder, name)).catch(() => null);
      if (info?.isFile() === true) found.push(join(folder, name));
    }
  }
  return found.sort();
}

/** Removes them; returns how many went (one that cannot be removed is left, and not counted). */
export async function removeSidecarLeftovers(photos: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const path of await findSidecarLeftovers(photos))
    await rm(path).then(
      () => removed++,
      () => {},
    );
  return removed;
}
