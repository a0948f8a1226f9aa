/**
 * Web mode end to end over real HTTP: API calls need this launch's token in their header,
 * other Host names are refused, the server listens on loopback only, and a generation
 * submitted through the contract streams its events and lands in the library, whose image is
 * served by hash. (Who else may ask: app/web/web-security.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ModelView, Result } from '../common/contract.ts';
import { samplingOf } from '../common/inference-contract.ts';
import { startWebServer, type WebServer } from './serve.ts';
import { httpCall, within, type Answer } from './testing/http.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-web-'));
let web: WebServer;
before(async () => {
  web = await startWebServer({ home: work });
});
after(async () => {
  await web.close();
  rmSync(work, { recursive: true, force: true });
});

function call(
  path: string,
  options: { method?: string; body?: unknown; token?: string | null; host?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers['x-tessera-token'] = options.token ?? web.token;
  return httpCall(web.port, path, {
    method: options.method ?? 'GET',
    body: options.body,
    headers,
    ...(options.host === undefined ? {} : { host: options.host }),
  });
}

async function invoke<T>(channel: string, payload: unknown = {}): Promise<Result<T>> {
  const r = await call(`/api/invoke/${channel}`, { method: 'POST', body: payload });
  assert.equal(r.status, 200, r.text());
  return r.json<Result<T>>();
}

test("every API call needs this launch's token and this server's Host", async () => {
  assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  assert.equal(
    (await call('/api/invoke/models:list', { method: 'POST', token: null })).status,
    401,
  );
  assert.equal(
    (await call('/api/invoke/models:list', { method: 'POST', token: 'f'.repeat(48) })).status,
    401,
  );
  assert.equal((await call('/api/events', { token: null })).status, 401);
  assert.equal((await call(`/asset/${'a'.repeat(64)}`, { token: null })).status, 403);
  const rebound = await call('/api/invoke/models:list', {
    method: 'POST',
    host: `evil.example:${web.port}`,
  });
  assert.equal(rebound.status, 403);
  const page = await call(`/?token=${web.token}`, { token: null });
  assert.match(
    String(page.headers['set-cookie']),
    new RegExp(`^tessera_session_${web.port}=[0-9a-f]{48}; HttpOnly; SameSite=Strict; Path=/$`),
  );
  assert.ok(!String(page.headers['set-cookie']).includes(web.token), 'the cookie is not the token');
});

test('requests are validated at the boundary and answered in a Result envelope', async () => {
  const models = await invoke<ModelView[]>('models:list');
  assert.ok(models.ok && models.value.some((m) => m.usable && m.trainedOnEmojiOnly));
  const bad = await invoke('gallery:update', { ids: [], starred: 'yes' });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.error.code, 'bad-request');
  const unknown = await invoke('files:delete', { path: '/' });
  assert.equal(!unknown.ok && unknown.error.code, 'unknown-channel');
  assert.equal((await call('/asset/..%2F..%2Fetc%2Fpasswd')).status, 404);
});

test(
  'a generation streams its events and lands in the library, served by hash',
  {
    timeout: 180_000,
  },
  async () => {
    let events = '';
    let connected!: () => void;
    const subscribed = new Promise<void>((resolve) => (connected = resolve));
    const stream = request({
      host: '127.0.0.1',
      port: web.port,
      path: '/api/events',
      headers: { host: `127.0.0.1:${web.port}`, 'x-tessera-token': web.token },
    });
    const completed = new Promise<void>((resolve, reject) => {
      stream.on('response', (res) => {
        if (res.statusCode !== 200) reject(new Error(`events answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          events += chunk;
          // The server registers the stream before it writes its first comment.
          if (events.startsWith(': connected\n\n')) connected();
          if (events.includes('"type":"completed"')) resolve();
          if (events.includes('"type":"failed"')) reject(new Error(events));
        });
      });
      stream.on('error', reject);
    });
    stream.end();
    try {
      await within(subscribed, 15_000, 'the event stream to open');
      const models = await invoke<ModelView[]>('models:list');
      assert.ok(models.ok);
      const model = models.value[0]!;
      const submitted = await invoke<{ jobIds: string[] }>('jobs:submitGenerate', {
        modelId: model.id,
        provider: 'cpu',
        prompt: 'red heart',
        negativePrompt: '',
        style: null,
        seed: 3,
        bestOf: 1,
        count: 1,
        sampling: { ...samplingOf(model.sampling.defaults), cdk: null },
        boardId: null,
      });
      assert.ok(submitted.ok, JSON.stringify(submitted));
      await within(completed, 150_000, 'the generation to complete');
    } finally {
      stream.destroy();
    }
    assert.match(events, /event: jobs:event\ndata: \{"type":"started"/);
    assert.match(events, /"type":"progress"[^\n]*"etaSeconds"/);
    assert.match(events, /"type":"preview"/);
    const page = await invoke<{ items: { id: number; sha256: string; title: string }[] }>(
      'gallery:query',
      { text: 'heart' },
    );
    assert.ok(page.ok);
    assert.equal(page.value.items.length, 1);
    const item = page.value.items[0]!;
    const image = await call(`/asset/${item.sha256}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.deepEqual(image.body, readFileSync(web.gallery.objectPath(item.sha256)!));
    const jobs = await invoke<{ status: string }[]>('jobs:list');
    assert.ok(jobs.ok && jobs.value[0]!.status === 'completed');
  },
);

test('a file opened for infill may be larger than other calls; other calls keep the 1 MiB limit', async () => {
  const sharp = (await import('sharp')).default;
  // Noise does not compress: a PNG of about 1.5 MiB, over the limit of ordinary calls.
  const noise = Buffer.alloc(720 * 720 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const png = await sharp(noise, { raw: { width: 720, height: 720, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  assert.ok(png.length > 1 << 20);
  const opened = await invoke<{ sha256: string; width: number }>('infill:openFile', {
    from: 'upload',
    name: 'noise.png',
    dataBase64: png.toString('base64'),
  });
  assert.ok(opened.ok, JSON.stringify(opened));
  assert.equal(opened.value.width, 720);
  const big = await call('/api/invoke/gallery:update', {
    method: 'POST',
    body: { ids: [1], addTags: ['x'.repeat(1 << 20)] },
  });
  assert.equal(big.status, 413);
  assert.match(big.text(), /over 1 MiB/);
});
