/** Reads Iconify JSON emoji sets from their npm packages into renderable icon records. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The sets of emoji-v1. fxemoji runs words together in its names. */
export const EMOJI_SETS = [
  'twemoji',
  'noto',
  'openmoji',
  'fluent-emoji-flat',
  'emojione',
  'fxemoji',
] as const;
export type EmojiSet = (typeof EMOJI_SETS)[number];
export const RUN_TOGETHER_SETS: ReadonlySet<string> = new Set(['fxemoji']);

interface IconifyIcon {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
  hidden?: boolean;
}
interface IconifyAlias {
  parent: string;
  hFlip?: boolean;
  vFlip?: boolean;
  rotate?: number;
  hidden?: boolean;
}
interface IconifyJson {
  prefix: string;
  icons: Record<string, IconifyIcon>;
  aliases?: Record<string, IconifyAlias>;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}
interface IconifyInfo {
  name: string;
  author: { name: string; url?: string };
  license: { title: string; spdx?: string; url?: string };
}

export interface SetInfo {
  set: string;
  packageName: string;
  packageVersion: string;
  title: string;
  author: string;
  authorUrl: string;
  license: string;
  licenseUrl: string;
}

export interface IconRecord {
  set: string;
  name: string;
  /** Other names of the same picture (plain aliases, not flipped or rotated variants). */
  aliases: string[];
  svg: string;
}

function packageDir(set: string): string {
  const pkgJson = require.resolve(`@iconify-json/${set}/package.json`);
  return pkgJson.slice(0, -'package.json'.length);
}

export function readSetInfo(set: string): SetInfo {
  const dir = packageDir(set);
  const info = JSON.parse(readFileSync(`${dir}info.json`, 'utf8')) as IconifyInfo;
  const pkg = JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as {
    name: string;
    version: string;
  };
  return {
    set,
    packageName: pkg.name,
    packageVersion: pkg.version,
    title: info.name,
    author: info.author.name,
    authorUrl: info.author.url ?? '',
    license: info.license.spdx ?? info.license.title,
    licenseUrl: info.license.url ?? '',
  };
}

/** Wraps an icon body in a square SVG of `size` px, centred, keeping its aspect ratio. */
export function iconSvg(json: IconifyJson, icon: IconifyIcon, size: number): string {
  const width = icon.width ?? json.width ?? 16;
  const height = icon.height ?? json.height ?? 16;
  const left = icon.left ?? json.left ?? 0;
  const top = icon.top ?? json.top ?? 0;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${size}" height="${size}" viewBox="${left} ${top} ${width} ${height}" ` +
    `preserveAspectRatio="xMidYMid meet">${icon.body}</svg>`
  );
}

/** Visible icons of a set, sorted by name so that every build orders them identically. */
export function readIcons(set: string, size: number): IconRecord[] {
  const json = JSON.parse(readFileSync(`${packageDir(set)}icons.json`, 'utf8')) as IconifyJson;
  const aliasesByParent = new Map<string, string[]>();
  for (const [alias, a] of Object.entries(json.aliases ?? {})) {
    if (a.hidden || a.hFlip || a.vFlip || a.rotate) continue;
    const list = aliasesByParent.get(a.parent) ?? [];
    list.push(alias);
    aliasesByParent.set(a.parent, list);
  }
  return Object.keys(json.icons)
    .sort()
    .filter((name) => !json.icons[name]!.hidden)
    .map((name) => ({
      set,
      name,
      aliases: (aliasesByParent.get(name) ?? []).sort(),
      svg: iconSvg(json, json.icons[name]!, size),
    }));
}
