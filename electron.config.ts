/**
 * Builds the studio with esbuild: the Electron main process (ESM), the preload (CommonJS, as
 * a sandboxed preload must be), the inference host for Electron's utilityProcess, and the
 * React renderer (a browser bundle plus its index.html). Web mode serves the same renderer.
 *
 *   node --import tsx electron.config.ts [--watch] [--only renderer]
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, context, type BuildOptions } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(root, 'out');
export const RENDERER_OUT = join(OUT_DIR, 'renderer');

/** Native modules and Electron itself load from node_modules (unpacked from asar when packaged). */
const external = ['electron', 'better-sqlite3', 'sharp', 'onnxruntime-node'];

export const targets: Record<string, BuildOptions> = {
  main: {
    entryPoints: [join(root, 'app/main/main.ts')],
    outfile: join(OUT_DIR, 'main/main.mjs'),
    platform: 'node',
    format: 'esm',
    target: 'node22',
    bundle: true,
    external,
    sourcemap: true,
  },
  preload: {
    entryPoints: [join(root, 'app/preload/preload.ts')],
    outfile: join(OUT_DIR, 'preload/preload.cjs'),
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    bundle: true,
    external: ['electron'],
  },
  inference: {
    entryPoints: [join(root, 'app/inference/host-electron.ts')],
    outfile: join(OUT_DIR, 'inference/host.mjs'),
    platform: 'node',
    format: 'esm',
    target: 'node22',
    bundle: true,
    external,
    sourcemap: true,
  },
  renderer: {
    entryPoints: [join(root, 'renderer/src/main.tsx')],
    outdir: join(RENDERER_OUT, 'assets'),
    entryNames: 'app',
    platform: 'browser',
    format: 'esm',
    target: 'chrome130',
    bundle: true,
    jsx: 'automatic',
    minify: true,
    // A production build ships no source maps (web mode would otherwise serve them); --watch
    // builds them for development.
    sourcemap: false,
    loader: { '.svg': 'dataurl', '.png': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"' },
  },
};

function copyRendererHtml(): void {
  mkdirSync(RENDERER_OUT, { recursive: true });
  copyFileSync(join(root, 'renderer/index.html'), join(RENDERER_OUT, 'index.html'));
}

export async function buildStudio(only?: string): Promise<void> {
  const names = only === undefined ? Object.keys(targets) : [only];
  for (const name of names) {
    const options = targets[name];
    if (options === undefined) throw new Error(`unknown build target "${name}"`);
    await build({ ...options, logLevel: 'warning' });
  }
  if (names.includes('renderer')) copyRendererHtml();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { watch: { type: 'boolean' }, only: { type: 'string' } },
  });
  if (values.watch === true) {
    copyRendererHtml();
    const names = values.only === undefined ? Object.keys(targets) : [values.only];
    for (const name of names)
      await (await context({ ...targets[name]!, sourcemap: true, logLevel: 'info' })).watch();
  } else {
    await buildStudio(values.only);
    console.log(`built ${values.only ?? 'main, preload, inference and renderer'} into out/`);
  }
}
