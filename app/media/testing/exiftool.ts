/**
 * ExifTool as an independent reader and writer of metadata in tests. It is required, never
 * optional: without it the metadata tests fail, saying how to install it.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const INSTALL_HINT =
  'exiftool is not installed: install it (Debian/Ubuntu: `apt-get install libimage-exiftool-perl`, macOS: `brew install exiftool`); .ci/run installs it in CI';

/** Throws, saying how to install it, unless `exiftool` runs. */
export function requireExiftool(): string {
  const r = spawnSync('exiftool', ['-ver'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) throw new Error(INSTALL_HINT);
  return r.stdout.trim();
}

/** Runs exiftool with `args` (writing in place, without a backup file when it writes). */
export function exiftool(...args: string[]): string {
  requireExiftool();
  return execFileSync('exiftool', args, { encoding: 'utf8' });
}

export type Tags = Record<string, unknown>;

/**
 * Every tag exiftool reads from `path`, keyed `Group:Tag` (family-1 groups, so XMP-dc:Creator
 * and IPTC:Keywords stay apart), duplicates included, values unconverted (-n), structures kept.
 */
export function readTags(path: string): Tags {
  const [tags] = JSON.parse(
    exiftool('-j', '-G1', '-a', '-n', '-struct', '-charset', 'iptc=UTF8', path),
  ) as Tags[];
  return tags!;
}

/** The groups that describe the file on disk or exiftool itself, not what the file says. */
export const NOT_METADATA = /^(SourceFile|System|File|ExifTool|Composite):?/;

/** The warnings exiftool reports for a file (none for a well-formed one). */
export function warnings(tags: Tags): string[] {
  return Object.entries(tags)
    .filter(([key]) => /(^|:)Warning(\s|$|\()/.test(key) || key.endsWith(':Warning'))
    .map(([, value]) => String(value));
}
