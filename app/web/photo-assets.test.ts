/**
 * Photos captioned where they lie are served by web mode's /asset route from their own file,
 * behind the same token checks as every other image, and a photo that moved or changed since it
 * was captioned is a JSON 409 that names its path.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addCaptionedPhoto, type CaptionedPhoto } from '../gallery/testing/captioned-photo.ts';
import { startWebServer, type WebServer } from './serve.ts';
import { httpCall } from './testing/http.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-web-photos-'));
const photos = join(work, 'photos');
let web: WebServer;
let big: CaptionedPhoto;
let small: CaptionedPhoto;

before(async () => {
  web = await startWebServer({ home: join(work, 'home'), rendererDir: join(work, 'renderer') });
  big = await addCaptionedPhoto(web.gallery, photos, 'astronaut.jpg', 451, 300);
  small = await addCaptionedPhoto(web.gallery, photos, 'tiny.jpg', 120, 90);
});
after(async () => {
  await web.close();
  rmSync(work, { recursive: true, force: true });
});

const get = (path: string, token: string | null = web.token) =>
  httpCall(web.port, path, { headers: token === null ? {} : { 'x-tessera-token': token } });

test('a captioned photo is served from its own file, full size and as a thumbnail', async () => {
  for (const photo of [big, small]) {
    const full = await get(`/asset/${photo.sha256}`);
    assert.equal(full.status, 200);
    assert.equal(full.headers['content-type'], 'image/jpeg');
    assert.deepEqual(full.body, photo.bytes);
    const thumb = await get(`/asset/${photo.sha256}?size=thumb`);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers['content-type'], 'image/webp');
  }
  // The token checks still apply to photos.
  assert.equal((await get(`/asset/${big.sha256}`, null)).status, 403);
});

test('a touched but unchanged photo is still served (its bytes still hash the same)', async () => {
  const later = new Date(Date.now() + 60_000);
  utimesSync(small.path, later, later);
  const full = await get(`/asset/${small.sha256}`);
  assert.equal(full.status, 200);
  assert.deepEqual(full.body, small.bytes);
});

test('a photo that changed or moved is a 409 that names where it was', async () => {
  writeFileSync(small.path, Buffer.concat([small.bytes, Buffer.from('edited')]));
  const changed = await get(`/asset/${small.sha256}`);
  assert.equal(changed.status, 409);
  assert.deepEqual(changed.json(), {
    ok: false,
    error: {
      code: 'file-changed',
      message: `the photo moved or changed since it was captioned: ${small.path}`,
    },
  });
  renameSync(big.path, join(photos, 'elsewhere.jpg'));
  const moved = await get(`/asset/${big.sha256}`);
  assert.equal(moved.status, 409);
  assert.match(moved.json<{ error: { message: string } }>().error.message, /astronaut\.jpg$/);
  // Its thumbnail lives in the library and still shows.
  assert.equal((await get(`/asset/${big.sha256}?size=thumb`)).status, 200);
});
