/**
 * Another page on this machine cannot drive the studio. The studio is opened the way a user
 * opens it (the printed address, so the browser holds its cookie); then, in the same browser,
 * pages served from another port of 127.0.0.1 and from localhost try every way a page has to
 * reach it (e2e/testing/hostile-page.html), even knowing the launch token. They can read
 * nothing, and the library, its boards and jobs, and the disk are as they were. The studio's
 * own page keeps working, exports included (as a download).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { openStudio, type Studio } from './harness.ts';

const HOSTILE_PAGE = readFileSync(join(import.meta.dirname, 'testing', 'hostile-page.html'));

interface Observation {
  target: string;
  withToken: boolean;
  what: string;
  outcome: string;
  readable: boolean;
  detail: string;
}

let studio: Studio;
let hostile: Server;
let hostilePort: number;
let item: { id: number; sha256: string };
let victim: string;

before(async () => {
  // No folder allowed: the page may name no path at all.
  studio = await openStudio({ allowFolders: () => [] });
  hostile = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(HOSTILE_PAGE);
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  hostilePort = (hostile.address() as AddressInfo).port;

  victim = join(studio.home, 'victim');
  mkdirSync(victim);
  const png = await sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: 20, g: 90, b: 200 } },
  })
    .png()
    .toBuffer();
  writeFileSync(join(victim, 'blue.png'), png);
  writeFileSync(join(victim, 'secret.txt'), 'not for other pages');
  const handlers = studio.web.service.handlers;
  const imported = await handlers['gallery:importUpload']({
    name: 'blue.png',
    dataBase64: png.toString('base64'),
  });
  item = { id: imported.assetId!, sha256: studio.web.gallery.getItem(imported.assetId!)!.sha256 };
  await handlers['boards:create']({ name: 'Mine' });
});

after(async () => {
  await new Promise<void>((resolve) => hostile.close(() => resolve()));
  await studio?.close();
});

/** What the library holds, through the service itself (not over HTTP). */
async function libraryState() {
  const handlers = studio.web.service.handlers;
  return {
    boards: (await handlers['boards:list']({})).map((b) => `${b.name}:${b.count}`),
    items: (await handlers['gallery:query']({})).items.map((i) => i.id),
    trashed: studio.web.gallery.getItem(item.id)!.deletedAt,
    jobs: (await handlers['jobs:list']({})).length,
    victim: readdirSync(victim).sort(),
  };
}

test("the studio's own page reads and calls (the control for what follows)", async () => {
  const { page } = studio;
  const seen = await page.evaluate(async (sha256: string) => {
    // This file compiles without the DOM library: the page's globals, as far as used here.
    const web = globalThis as unknown as {
      location: { search: string };
      Image: new () => { src: string; naturalWidth: number; decode(): Promise<void> };
    };
    const token = new URLSearchParams(web.location.search).get('token') ?? '';
    const call = await fetch('/api/invoke/boards:list', {
      method: 'POST',
      headers: { 'x-tessera-token': token },
      body: '{}',
    });
    const image = new web.Image();
    image.src = `/asset/${sha256}`;
    await image.decode();
    return { status: call.status, width: image.naturalWidth };
  }, item.sha256);
  assert.deepEqual(seen, { status: 200, width: 16 });
});

for (const hostName of ['127.0.0.1', 'localhost']) {
  test(
    `a page on ${hostName}:<another port> can neither read nor change anything`,
    {
      timeout: 240_000,
    },
    async () => {
      const before = await libraryState();
      const exportTo = join(victim, 'stolen.zip');
      const config = {
        targets: [`http://127.0.0.1:${studio.web.port}`, `http://localhost:${studio.web.port}`],
        token: studio.web.token,
        itemId: item.id,
        sha256: item.sha256,
        exportTo,
        captionFolder: victim,
        secretFile: join(victim, 'secret.txt'),
        modelId: 'emoji-vq-ar',
      };
      // Same browser, same cookies: the studio's tab is open beside it.
      const page = await studio.page.context().newPage();
      try {
        await page.goto(
          `http://${hostName}:${hostilePort}/#${encodeURIComponent(JSON.stringify(config))}`,
        );
        await page.waitForFunction(
          () =>
            (globalThis as unknown as { document: { title: string } }).document.title === 'done',
          null,
          { timeout: 200_000 },
        );
        const observed = (await page.evaluate(
          () => (globalThis as unknown as { hostileResults: unknown }).hostileResults,
        )) as Observation[];
        assert.ok(observed.length >= 100, `${observed.length} attempts were made`);
        const read = observed.filter((o) => o.readable);
        assert.deepEqual(read, [], 'nothing was readable');
        for (const o of observed.filter((x) => x.what.startsWith('img ')))
          assert.equal(o.outcome, 'error', `${o.what} from ${o.target} did not load`);
        for (const o of observed.filter((x) => x.what.startsWith('EventSource')))
          assert.equal(o.outcome, 'error', `${o.what} from ${o.target} did not open`);
      } finally {
        await page.close();
        for (const p of studio.page.context().pages()) if (p !== studio.page) await p.close();
      }
      assert.deepEqual(
        await libraryState(),
        before,
        'the library, boards, jobs and disk are unchanged',
      );
      assert.ok(!existsSync(exportTo));
    },
  );
}

test('the studio page exports as a browser download, never to a path it names', async () => {
  const { page } = studio;
  await page.bringToFront();
  await page.getByTestId('nav-library').click();
  await page.getByTestId(`grid-item-${item.id}`).click();
  await page.getByTestId('export-open').click();
  await page.getByTestId('web-folder-note').first().waitFor();
  const downloaded = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  const download = await downloaded;
  assert.match(download.suggestedFilename(), /^tessera-export-.*\.zip$/);
  const saved = join(studio.home, 'downloaded.zip');
  await download.saveAs(saved);
  const names = await new Promise<string[]>((resolve, reject) => {
    yauzl.open(saved, { lazyEntries: false }, (err, zip) => {
      if (err !== null) return reject(err);
      const found: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => found.push(e.fileName));
      zip.on('end', () => resolve(found));
      zip.on('error', reject);
    });
  });
  assert.equal(names.length, 1);
  assert.match(names[0]!, new RegExp(`^${item.id}-`));
});
