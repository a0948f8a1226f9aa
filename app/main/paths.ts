/** Where the desktop app keeps its data, and where the built pieces sit next to out/main. */
import { join, resolve } from 'node:path';
import { resolveHome } from '../models/data-home.ts';

/**
 * TESSERA_HOME when set, else the same app-data folder the `tessera` CLI uses, so the desktop
 * app and the command line always open one library (on Windows and macOS that is also
 * Electron's userData; on Linux it follows XDG_DATA_HOME rather than ~/.config).
 */
export function studioHome(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.TESSERA_HOME?.trim();
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : resolveHome(undefined);
}

export interface BundlePaths {
  preload: string;
  rendererDir: string;
  inferenceHost: string;
}

/** The build's layout (electron.config.ts), from the folder of out/main/main.mjs. */
export function bundlePaths(mainDir: string): BundlePaths {
  return {
    preload: join(mainDir, '..', 'preload', 'preload.cjs'),
    rendererDir: join(mainDir, '..', 'renderer'),
    inferenceHost: join(mainDir, '..', 'inference', 'host.mjs'),
  };
}
