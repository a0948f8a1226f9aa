/**
 * Who may ask web mode for what, over real HTTP with the headers a browser sends: only the
 * studio's own origin (scheme, host and port) with the header token may call the API; a cookie
 * or a `?token=` never authorises a call; paths a page names are used only inside folders
 * allowed on the command line; exports are downloads; no file response, oversized body or
 * unexpected error can take the server down or leak its internals.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { targets } from '../../electron.config.ts';
import type { Result } from '../common/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../main/app-origin.ts';
import { startWebServer, type WebServer } from './serve.ts';
import { httpCall, type Answer, type CallOptions } from './testing/http.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-web-sec-'));
const renderer = join(work, 'renderer');
const allowed = join(work, 'allowed');
const outside = join(work, 'outside');
let web: WebServer;
let open: WebServer;
let image: { id: number; sha256: string };

before(async () => {
  mkdirSync(join(renderer, 'assets', 'a-folder.js'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("studio")');
  writeFileSync(join(renderer, 'assets', 'app.js.map'), '{"version":3}');
  mkdirSync(allowed);
  mkdirSync(outside);
  symlinkSync(outside, join(allowed, 'link-out'));
  web = await startWebServer({ home: join(work, 'home'), rendererDir: renderer });
  open = await startWebServer({
    home: join(work, 'home-open'),
    rendererDir: renderer,
    allowFolders: [allowed],
  });
  const png = await sharp({
    create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } },
  })
    .png()
    .toBuffer();
  writeFileSync(join(outside, 'red.png'), png);
  writeFileSync(join(allowed, 'red.png'), png);
  const imported = await invoke<{ assetId: number }>(web, 'gallery:importUpload', {
    name: 'red.png',
    dataBase64: png.toString('base64'),
  });
  assert.ok(imported.ok, JSON.stringify(imported));
  image = {
    id: imported.value.assetId,
    sha256: web.gallery.getItem(imported.value.assetId)!.sha256,
  };
});
after(async () => {
  await web.close();
  await open.close();
  rmSync(work, { recursive: true, force: true });
});

function call(server: WebServer, path: string, options: CallOptions = {}): Promise<Answer> {
  return httpCall(server.port, path, { timeoutMs: 10_000, ...options });
}

/** A call as the studio's page makes it: its origin, the header token. */
async function invoke<T>(
  server: WebServer,
  channel: string,
  payload: unknown = {},
): Promise<Result<T>> {
  const r = await call(server, `/api/invoke/${channel}`, {
    method: 'POST',
    body: payload,
    headers: {
      'x-tessera-token': server.token,
      origin: `http://127.0.0.1:${server.port}`,
      'sec-fetch-site': 'same-origin',
    },
  });
  assert.equal(r.status, 200, r.text());
  return r.json<Result<T>>();
}

async function boardNames(server: WebServer = web): Promise<string[]> {
  const boards = await invoke<{ name: string }[]>(server, 'boards:list');
  assert.ok(boards.ok);
  return boards.value.map((b) => b.name);
}

/** The cookie the studio's page gets when the user opens the printed address. */
async function pageCookie(server: WebServer = web): Promise<string> {
  const page = await call(server, `/?token=${server.token}`, {
    headers: { 'sec-fetch-site': 'none', 'sec-fetch-dest': 'document' },
  });
  assert.equal(page.status, 200);
  return String(page.headers['set-cookie']).split(';')[0]!;
}

describe('API calls', () => {
  test('a cookie alone never authorises one, even from a browser that says same-origin', async () => {
    const cookie = await pageCookie();
    const r = await call(web, '/api/invoke/boards:create', {
      method: 'POST',
      body: { name: 'by cookie' },
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(r.status, 401);
    assert.match(r.json<{ error: { message: string } }>().error.message, /x-tessera-token/);
    const events = await call(web, '/api/events', {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(events.status, 401);
    assert.ok(!(await boardNames()).includes('by cookie'));
  });

  test('a ?token= in the address is refused after the first page load', async () => {
    for (const path of ['/api/invoke/boards:create', '/api/export']) {
      const r = await call(web, `${path}?token=${web.token}`, {
        method: 'POST',
        body: { name: 'by query', ids: [image.id] },
      });
      assert.equal(r.status, 401, path);
    }
    assert.equal((await call(web, `/api/events?token=${web.token}`)).status, 401);
    // Even together with the header: the address is never where an API call's token goes.
    const both = await call(web, `/api/invoke/boards:create?token=${web.token}`, {
      method: 'POST',
      body: { name: 'by query' },
      headers: { 'x-tessera-token': web.token },
    });
    assert.equal(both.status, 401);
    assert.ok(!(await boardNames()).includes('by query'));
  });

  test('another origin is refused even with the token: other ports, localhost, other sites', async () => {
    const hostile: Record<string, string>[] = [
      { origin: `http://127.0.0.1:${web.port + 1}` },
      { origin: `http://localhost:${web.port + 1}` },
      { origin: `http://localhost:${web.port}` },
      { origin: 'null' },
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'none' },
    ];
    for (const headers of hostile) {
      const r = await call(web, '/api/invoke/boards:create', {
        method: 'POST',
        body: { name: 'cross-origin' },
        headers: { ...headers, 'x-tessera-token': web.token },
      });
      assert.equal(r.status, 403, JSON.stringify(headers));
      const events = await call(web, '/api/events', {
        headers: { ...headers, 'x-tessera-token': web.token },
      });
      assert.equal(events.status, 403, JSON.stringify(headers));
    }
    assert.ok(!(await boardNames()).includes('cross-origin'));
    // The studio's own origin, as either name it may be opened under, is served.
    const own = await call(web, '/api/invoke/boards:list', {
      method: 'POST',
      host: `localhost:${web.port}`,
      headers: { origin: `http://localhost:${web.port}`, 'x-tessera-token': web.token },
    });
    assert.equal(own.status, 200);
  });
});

describe('the page and its subresources', () => {
  test('the printed address opens the studio only from a navigation the user made', async () => {
    for (const headers of [
      { 'sec-fetch-site': 'same-site', 'sec-fetch-dest': 'document' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'document' },
      { 'sec-fetch-site': 'none', 'sec-fetch-dest': 'iframe' },
      { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'script' },
    ]) {
      const r = await call(web, `/?token=${web.token}`, { headers });
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.equal(r.headers['set-cookie'], undefined);
    }
    assert.equal((await call(web, '/')).status, 401, 'no token, no page');
  });

  test('images and scripts need the cookie and a same-origin request, and say same-origin only', async () => {
    const cookie = await pageCookie();
    for (const path of [`/asset/${image.sha256}`, '/assets/app.js']) {
      const own = await call(web, path, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
      assert.equal(own.status, 200, path);
      assert.equal(own.headers['cross-origin-resource-policy'], 'same-origin');
      for (const site of ['same-site', 'cross-site', 'none'])
        assert.equal(
          (await call(web, path, { headers: { cookie, 'sec-fetch-site': site } })).status,
          403,
          `${path} from ${site}`,
        );
      const foreignOrigin = await call(web, path, {
        headers: { cookie, 'sec-fetch-site': 'same-origin', origin: 'http://localhost:1' },
      });
      assert.equal(foreignOrigin.status, 403);
      assert.equal((await call(web, `${path}?token=${web.token}`)).status, 401);
      assert.equal((await call(web, path, { headers: { cookie } })).status, 403);
    }
  });

  test("the page's policy is the desktop window's, and no source map is served or built", async () => {
    const page = await call(web, `/?token=${web.token}`);
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    for (const directive of ["object-src 'none'", "base-uri 'none'", "form-action 'none'"])
      assert.ok(String(page.headers['content-security-policy']).includes(directive), directive);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const cookie = await pageCookie();
    const map = await call(web, '/assets/app.js.map', {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(map.status, 404);
    assert.ok(!targets.renderer!.sourcemap, 'the production renderer build writes no source map');
  });
});

describe('paths a page names', () => {
  test('without --allow-folder, no channel reads or writes a path, and each says how to allow it', async () => {
    const zip = join(outside, 'stolen.zip');
    const attempts: [string, unknown][] = [
      ['gallery:export', { ids: [image.id], to: zip }],
      ['gallery:export', { ids: [image.id], to: outside }],
      ['gallery:import', { paths: [join(outside, 'red.png')], recursive: false }],
      ['infill:openFile', { from: 'path', path: '/etc/passwd' }],
      ['models:import', { path: outside }],
      [
        'jobs:submitCaptionFolder',
        {
          modelId: 'emoji-vq-ar',
          provider: 'cpu',
          folder: outside,
          recursive: false,
          writeXmp: true,
          retryFailed: false,
        },
      ],
    ];
    for (const [channel, payload] of attempts) {
      const r = await invoke(web, channel, payload);
      assert.equal(r.ok, false, channel);
      assert.equal(!r.ok && r.error.code, 'path-not-allowed', channel);
      assert.match(!r.ok ? r.error.message : '', /--allow-folder/, channel);
    }
    assert.ok(!existsSync(zip));
    assert.deepEqual(
      readFileSync(join(outside, 'red.png')).length > 0 && existsSync(join(outside, 'red.png.xmp')),
      false,
    );
    const items = await invoke<{ items: unknown[] }>(web, 'gallery:query', {});
    assert.ok(items.ok && items.value.items.length === 1, 'nothing was imported');
  });

  test('with --allow-folder, paths inside it work; outside it, through a link or relative, they do not', async () => {
    const imported = await invoke<{ status: string }[]>(open, 'gallery:import', {
      paths: [join(allowed, 'red.png')],
      recursive: false,
    });
    assert.ok(imported.ok && imported.value[0]!.status === 'imported', JSON.stringify(imported));
    const page = await invoke<{ items: { id: number }[] }>(open, 'gallery:query', {});
    assert.ok(page.ok);
    const ids = page.value.items.map((i) => i.id);
    const inside = await invoke(open, 'gallery:export', { ids, to: join(allowed, 'out.zip') });
    assert.ok(inside.ok, JSON.stringify(inside));
    assert.ok(existsSync(join(allowed, 'out.zip')));
    for (const to of [
      join(allowed, '..', 'outside', 'climbed.zip'),
      join(allowed, 'link-out', 'linked.zip'),
      'relative.zip',
      join(`${allowed}-sibling`, 'x.zip'),
    ]) {
      const r = await invoke(open, 'gallery:export', { ids, to });
      assert.equal(!r.ok && r.error.code, 'path-not-allowed', to);
    }
    assert.ok(!existsSync(join(outside, 'climbed.zip')));
    assert.ok(!existsSync(join(outside, 'linked.zip')));
  });

  test('a folder to allow must exist', async () => {
    await assert.rejects(
      startWebServer({ home: join(work, 'home-x'), allowFolders: [join(work, 'nope')] }),
      /--allow-folder .*nope: no such folder/,
    );
  });

  test('export is a download: the zip streams to the page, with the image inside', async () => {
    const r = await call(web, '/api/export', {
      method: 'POST',
      body: { ids: [image.id] },
      headers: { 'x-tessera-token': web.token },
    });
    assert.equal(r.status, 200, r.text());
    assert.equal(r.headers['content-type'], 'application/zip');
    assert.match(
      String(r.headers['content-disposition']),
      /^attachment; filename="tessera-export-/,
    );
    const entries = await new Promise<Map<string, Buffer>>((resolve, reject) => {
      yauzl.fromBuffer(r.body, { lazyEntries: true }, (err, zip) => {
        if (err !== null) return reject(err);
        const found = new Map<string, Buffer>();
        zip.on('entry', (e: yauzl.Entry) =>
          zip.openReadStream(e, (streamErr, stream) => {
            if (streamErr !== null) return reject(streamErr);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => {
              found.set(e.fileName, Buffer.concat(chunks));
              zip.readEntry();
            });
          }),
        );
        zip.on('end', () => resolve(found));
        zip.on('error', reject);
        zip.readEntry();
      });
    });
    const names = [...entries.keys()];
    assert.equal(names.length, 1);
    assert.match(names[0]!, new RegExp(`^${image.id}-[\\w-]+\\.png$`));
    // exiftool, an independent reader, finds a PNG of the image's size in the download.
    const png = join(work, 'exported.png');
    writeFileSync(png, entries.get(names[0]!)!);
    const seen = spawnSync('exiftool', ['-s3', '-FileType', '-ImageSize', png], {
      encoding: 'utf8',
    });
    assert.deepEqual(seen.stdout.trim().split('\n'), ['PNG', '8x8']);
    const missing = await call(web, '/api/export', {
      method: 'POST',
      body: { ids: [999_999] },
      headers: { 'x-tessera-token': web.token },
    });
    assert.equal(missing.status, 404);
    assert.match(missing.text(), /no library item 999999/);
  });
});

describe('nothing one request does takes the server down', () => {
  const token = () => ({ 'x-tessera-token': web.token });
  const stillAnswers = async () =>
    assert.equal(
      (await call(web, '/api/invoke/boards:list', { method: 'POST', headers: token() })).status,
      200,
    );

  test('a stored file that is a folder, or a FIFO, is a JSON 404, not a crash or a hang', async () => {
    const sha = 'b'.repeat(64);
    mkdirSync(join(web.gallery.dir, 'objects', 'bb', `${sha}.png`), { recursive: true });
    const folder = await call(web, `/asset/${sha}`, { headers: token() });
    assert.equal(folder.status, 404);
    assert.equal(folder.json<{ error: { code: string } }>().error.code, 'not-found');
    await stillAnswers();
    const fifoSha = 'c'.repeat(64);
    mkdirSync(join(web.gallery.dir, 'thumbs'), { recursive: true });
    const fifo = join(web.gallery.dir, 'thumbs', `${fifoSha}-256.webp`);
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const piped = await call(web, `/asset/${fifoSha}?size=thumb`, {
      headers: token(),
      timeoutMs: 5000,
    });
    assert.equal(piped.status, 404);
    const cookie = await pageCookie();
    const staticFolder = await call(web, '/assets/a-folder.js', {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(staticFolder.status, 404);
    await stillAnswers();
  });

  test('a file deleted while it is being sent is still sent whole', async () => {
    const big = Buffer.alloc(8 << 20, 7);
    const sha = 'd'.repeat(64);
    mkdirSync(join(web.gallery.dir, 'objects', 'dd'), { recursive: true });
    const path = join(web.gallery.dir, 'objects', 'dd', `${sha}.png`);
    writeFileSync(path, big);
    // Deleted once the answer has started, with most of the file still to send.
    const r = await new Promise<{ status: number; length: number }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: web.port,
          path: `/asset/${sha}`,
          headers: { host: `127.0.0.1:${web.port}`, ...token() },
        },
        (res) => {
          rmSync(path);
          let length = 0;
          res.on('data', (c: Buffer) => (length += c.length));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('no answer in time')));
      req.end();
    });
    assert.equal(r.status, 200);
    assert.equal(r.length, big.length);
    assert.ok(!existsSync(path));
    await stillAnswers();
  });

  test('an over-limit body gets 413 at once and its connection is closed', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const started = performance.now();
      const huge = Buffer.alloc(3 << 20, 0x20);
      const [refused, queued] = await Promise.all([
        call(web, '/api/invoke/boards:list', {
          method: 'POST',
          body: huge,
          headers: token(),
          agent,
        }).catch((err: unknown) => err as Error),
        call(web, '/api/invoke/boards:list', { method: 'POST', headers: token(), agent }),
      ]);
      assert.ok(!(refused instanceof Error), String(refused));
      assert.equal(refused.status, 413);
      assert.equal(refused.headers.connection, 'close');
      assert.match(refused.text(), /over 1 MiB/);
      assert.equal(queued.status, 200);
      assert.ok(
        performance.now() - started < 5000,
        'the queued request did not wait for a timeout',
      );
    } finally {
      agent.destroy();
    }
    // Without a Content-Length (chunked), the limit is found while reading.
    const chunked = await call(web, '/api/invoke/boards:list', {
      method: 'POST',
      body: Buffer.alloc(2 << 20, 0x20),
      headers: { ...token(), 'transfer-encoding': 'chunked' },
    }).catch((err: unknown) => err as Error);
    assert.ok(!(chunked instanceof Error), String(chunked));
    assert.equal(chunked.status, 413);
    await stillAnswers();
  });

  test('an unexpected error answers 500 without its details', async () => {
    const assetFile = web.gallery.assetFile.bind(web.gallery);
    web.gallery.assetFile = () => {
      throw new Error('SQLITE_CORRUPT at /root/secret/library.sqlite');
    };
    try {
      const r = await call(web, `/asset/${image.sha256}`, { headers: token() });
      assert.equal(r.status, 500);
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'internal');
      assert.doesNotMatch(r.text(), /SQLITE|secret/);
    } finally {
      web.gallery.assetFile = assetFile;
    }
    await stillAnswers();
  });
});
