/**
 * Web mode end to end over real HTTP: the token is required on every request, other Host
 * names are refused, the server listens on loopback only, and a generation submitted through
 * the contract streams its events and lands in the library, whose image is served by hash.
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
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${web.port}` };
    if (options.token !== null) headers['x-tessera-token'] = options.token ?? web.token;
    const req = request(
      { host: '127.0.0.1', port: web.port, path, method: options.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('latin1'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(JSON.stringify(options.body));
    req.end();
  });
}

async function invoke<T>(channel: string, payload: unknown = {}): Promise<Result<T>> {
  const r = await call(`/api/invoke/${channel}`, { method: 'POST', body: payload });
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Result<T>;
}

test("every request needs this launch's token and this server's Host", async () => {
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
  assert.equal((await call(`/asset/${'a'.repeat(64)}`, { token: null })).status, 401);
  const rebound = await call('/api/invoke/models:list', {
    method: 'POST',
    host: `evil.example:${web.port}`,
  });
  assert.equal(rebound.status, 403);
  const page = await call(`/?token=${web.token}`, { token: null });
  assert.match(
    String(page.headers['set-cookie']),
    /tessera_token=[0-9a-f]+; HttpOnly; SameSite=Strict/,
  );
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

test('a generation streams its events and lands in the library, served by hash', async () => {
  const events: string[] = [];
  const completed = new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: web.port,
        path: '/api/events',
        headers: { host: `127.0.0.1:${web.port}`, 'x-tessera-token': web.token },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          events.push(chunk);
          if (chunk.includes('"type":"completed"')) {
            req.destroy();
            resolve();
          }
          if (chunk.includes('"type":"failed"')) reject(new Error(chunk));
        });
      },
    );
    req.on('error', () => {});
    req.end();
  });
  await new Promise((r) => setTimeout(r, 100));
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
  await completed;
  const joined = events.join('');
  assert.match(joined, /event: jobs:event\ndata: \{"type":"started"/);
  assert.match(joined, /"type":"progress"[^\n]*"etaSeconds"/);
  assert.match(joined, /"type":"preview"/);
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
  assert.deepEqual(
    Buffer.from(image.body, 'latin1'),
    readFileSync(web.gallery.objectPath(item.sha256)!),
  );
  const jobs = await invoke<{ status: string }[]>('jobs:list');
  assert.ok(jobs.ok && jobs.value[0]!.status === 'completed');
});

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
  assert.equal(big.status, 400);
  assert.match(big.body, /over 1 MiB/);
});
