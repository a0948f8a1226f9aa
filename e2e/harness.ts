/**
 * End-to-end harness: builds the renderer, starts web mode on a fresh data folder with the
 * real embedded model, and drives Debian's Chromium through playwright-core. Screenshots go to
 * test-results/screenshots/ (CI artifacts); with UPDATE_SCREENSHOTS=1 they also refresh the
 * checked-in set under docs/screenshots/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebServer, type WebServer } from '../app/web/serve.ts';

export const ROOT = join(import.meta.dirname, '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const DOC_SHOTS = join(ROOT, 'docs', 'screenshots');

export interface Studio {
  web: WebServer;
  browser: Browser;
  page: Page;
  home: string;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

let built = false;
function buildRenderer(): void {
  if (built) return;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'electron.config.ts', '--only', 'renderer'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`the renderer did not build:\n${r.stdout}${r.stderr}`);
  built = true;
}

export interface StudioOptions {
  /**
   * Folders the page may name (`tessera serve --allow-folder`), given the data folder. The
   * default allows the data folder itself, where the tests put the folders they type in.
   */
  allowFolders?: (home: string) => string[];
}

export async function openStudio(options: StudioOptions = {}): Promise<Studio> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`apt-get install chromium\` (the end-to-end tests drive it), or set CHROMIUM_PATH`,
    );
  buildRenderer();
  const home = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  const web = await startWebServer({
    home,
    allowFolders: (options.allowFolders ?? ((h) => [h]))(home),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // A context of its own, so a test can open more tabs that share the studio's cookies.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(web.url);
  mkdirSync(SHOTS, { recursive: true });
  return {
    web,
    browser,
    page,
    home,
    shot: async (name) => {
      const file = join(SHOTS, `${name}.png`);
      await page.screenshot({ path: file });
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        mkdirSync(DOC_SHOTS, { recursive: true });
        copyFileSync(file, join(DOC_SHOTS, `${name}.png`));
      }
    },
    close: async () => {
      await browser.close();
      await web.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
