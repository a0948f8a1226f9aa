/**
 * The desktop shell against Electron's security checklist
 * (electronjs.org/docs/latest/tutorial/security), under plain Node: Electron's objects are
 * small fakes that record what the shell installs, and each test names the checklist item it
 * checks. The preload is checked as it ships: bundled by electron.config.ts, then run in a
 * fresh VM context with a stand-in `require`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import type { IpcMainInvokeEvent, Session, WebContents } from 'electron';
import { build } from 'esbuild';
import { targets } from '../../electron.config.ts';
import { CHANNELS, EVENTS, type Result } from '../common/contract.ts';
import { openGallery } from '../gallery/index.ts';
import { encodePng } from '../media/png.ts';
import { APP_ORIGIN, APP_PAGE_URL, CONTENT_SECURITY_POLICY, isAppPage } from './app-origin.ts';
import { createAppHandler, resolveAppFile } from './app-protocol.ts';
import { createAssetHandler, parseAssetUrl, PRIVILEGED_SCHEMES } from './asset-protocol.ts';
import {
  CONTRACT_CHANNELS,
  eventSender,
  EVENT_MESSAGE,
  registerIpc,
  type ContractHandlers,
} from './ipc.ts';
import { hardenContents, hardenSession, isTrustedSender, type SenderFrame } from './security.ts';
import { windowOptions } from './window-options.ts';
import { createBridge, EVENT_MESSAGE as PRELOAD_EVENT_MESSAGE } from '../preload/bridge.ts';
import { CHANNEL_NAMES, EVENT_NAMES } from '../preload/names.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-shell-'));
after(() => rmSync(work, { recursive: true, force: true }));

type Listener = (...args: unknown[]) => unknown;

/** A Session that records the handlers the shell installs. */
function fakeSession() {
  const installed: Record<string, Listener> = {};
  const session = {
    setPermissionRequestHandler: (h: Listener) => (installed.permissionRequest = h),
    setPermissionCheckHandler: (h: Listener) => (installed.permissionCheck = h),
    setDevicePermissionHandler: (h: Listener) => (installed.devicePermission = h),
    webRequest: { onHeadersReceived: (h: Listener) => (installed.headersReceived = h) },
  };
  return { session: session as unknown as Session, installed };
}

/** A WebContents that records its event listeners and window-open handler. */
function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: Listener | null = null;
  const contents = {
    setWindowOpenHandler: (h: Listener) => (openHandler = h),
    on: (name: string, l: Listener) => listeners.set(name, [...(listeners.get(name) ?? []), l]),
  };
  /** Emits a navigation-like event; true when some listener prevented it. */
  const emit = (name: string, details: Record<string, unknown> = {}): boolean => {
    let prevented = false;
    const event = { ...details, preventDefault: () => (prevented = true) };
    for (const l of listeners.get(name) ?? []) l(event, details.url);
    return prevented;
  };
  return {
    contents: contents as unknown as WebContents,
    emit,
    listeners,
    open: (url: string) =>
      openHandler!({ url, frameName: '', features: '', disposition: 'new-window' }),
  };
}

const frame = (url: string, parent: SenderFrame | null = null): SenderFrame =>
  ({ url, parent }) as SenderFrame;

describe('window options (checklist 2, 3, 4, 6, 8, 9, 10, 12)', () => {
  const options = windowOptions({ preload: '/app/out/preload/preload.cjs' });
  const web = options.webPreferences!;

  test('no Node.js in the page, its workers or its frames (2)', () => {
    assert.equal(web.nodeIntegration, false);
    assert.equal(web.nodeIntegrationInWorker, false);
    assert.equal(web.nodeIntegrationInSubFrames, false);
  });
  test('context isolation and the process sandbox (3, 4)', () => {
    assert.equal(web.contextIsolation, true);
    assert.equal(web.sandbox, true);
    assert.equal(web.preload, '/app/out/preload/preload.cjs');
    assert.match(web.preload!, /\.cjs$/, 'a sandboxed preload is CommonJS');
  });
  test('web security on, no insecure content, no experimental or Blink features (6, 8, 9, 10)', () => {
    assert.equal(web.webSecurity, true);
    assert.equal(web.allowRunningInsecureContent, false);
    assert.equal(web.experimentalFeatures, false);
    assert.equal(web.enableBlinkFeatures, undefined);
  });
  test('no <webview> tag (11, 12), no spellchecker, no navigation by dropping a file', () => {
    assert.equal(web.webviewTag, false);
    assert.equal(web.spellcheck, false);
    assert.equal(web.navigateOnDragDrop, false);
  });
  test('DevTools only when asked (development)', () => {
    assert.equal(web.devTools, false);
    assert.equal(windowOptions({ preload: 'p', devTools: true }).webPreferences!.devTools, true);
  });
  test('a dark window that shows itself only once painted', () => {
    assert.equal(options.show, false);
    assert.match(options.backgroundColor!, /^#[0-9a-f]{6}$/);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(options.backgroundColor!.slice(i, i + 2), 16));
    assert.ok(r! + g! + b! < 3 * 64, 'dark');
    assert.ok(options.minWidth! >= 800 && options.minHeight! >= 500);
    assert.ok(options.width! >= options.minWidth! && options.height! >= options.minHeight!);
  });
});

describe('session (checklist 5, 7)', () => {
  const { session, installed } = fakeSession();
  const lines: string[] = [];
  hardenSession(session, (l) => lines.push(l));

  test('every permission request is denied (5)', () => {
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'openExternal',
      'fullscreen',
    ]) {
      let granted: boolean | null = null;
      installed.permissionRequest!({}, permission, (g: boolean) => (granted = g), {});
      assert.equal(granted, false, permission);
    }
    assert.ok(lines.some((l) => l.includes('"media"')));
  });
  test('every permission check and device permission is denied (5)', () => {
    for (const permission of ['clipboard-read', 'hid', 'serial', 'usb', 'media'])
      assert.equal(installed.permissionCheck!(null, permission, APP_ORIGIN, {}), false);
    assert.equal(installed.devicePermission!({ deviceType: 'hid', origin: APP_ORIGIN }), false);
  });
  test('every document gets the CSP; other responses pass unchanged (7)', () => {
    let answer: { responseHeaders?: Record<string, string[]> } | null = null;
    installed.headersReceived!(
      { resourceType: 'mainFrame', responseHeaders: { 'Content-Type': ['text/html'] } },
      (r: typeof answer) => (answer = r),
    );
    assert.deepEqual(answer!.responseHeaders!['Content-Security-Policy'], [
      CONTENT_SECURITY_POLICY,
    ]);
    assert.deepEqual(answer!.responseHeaders!['Content-Type'], ['text/html']);
    installed.headersReceived!(
      { resourceType: 'image', responseHeaders: {} },
      (r: typeof answer) => (answer = r),
    );
    assert.deepEqual(answer, {});
  });
  test('the CSP is the restrictive one of docs/architecture.md (7)', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(
      directives.get('script-src'),
      ["'self'"],
      "no 'unsafe-inline' or 'unsafe-eval'",
    );
    assert.deepEqual(directives.get('connect-src'), ["'self'"]);
    assert.deepEqual(directives.get('img-src'), ["'self'", 'data:', 'blob:', 'tessera-asset:']);
    assert.deepEqual(directives.get('style-src'), ["'self'", "'unsafe-inline'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
  });
});

describe('web contents (checklist 11-14)', () => {
  const { contents, emit, open } = fakeContents();
  hardenContents(contents, APP_ORIGIN);

  test('navigation only to the app page, parsed rather than prefix-matched (13)', () => {
    assert.equal(emit('will-navigate', { url: APP_PAGE_URL }), false);
    assert.equal(emit('will-navigate', { url: `${APP_ORIGIN}/` }), false);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'app://tessera.evil.example/index.html',
      'app://other/index.html',
      `${APP_ORIGIN}/assets/app.js`,
      'javascript:alert(1)',
      'not a url',
    ])
      assert.equal(emit('will-navigate', { url }), true, url);
  });
  test('redirects are held to the same rule (13)', () => {
    assert.equal(emit('will-redirect', { url: 'https://example.com/' }), true);
    assert.equal(emit('will-redirect', { url: APP_PAGE_URL }), false);
  });
  test('no new windows, whatever the URL (14)', () => {
    for (const url of ['https://example.com/', APP_PAGE_URL, 'file:///etc/passwd'])
      assert.deepEqual(open(url), { action: 'deny' });
  });
  test('a <webview> is never attached (11, 12)', () => {
    assert.equal(emit('will-attach-webview', { src: 'https://example.com/' }), true);
  });
  test('isAppPage is not fooled by look-alike origins', () => {
    assert.equal(isAppPage('app://tessera/index.html'), true);
    assert.equal(isAppPage('app://tessera@evil/index.html'), false);
    assert.equal(isAppPage('app://tessera:81/index.html'), false);
  });
});

describe('IPC (checklist 17)', () => {
  const trusted = frame(APP_PAGE_URL);

  test('isTrustedSender: the app top frame only', () => {
    assert.equal(isTrustedSender(trusted, APP_ORIGIN), true);
    assert.equal(isTrustedSender(frame(`${APP_ORIGIN}/index.html#gallery`), APP_ORIGIN), true);
    assert.equal(isTrustedSender(frame(APP_PAGE_URL, trusted), APP_ORIGIN), false, 'a subframe');
    assert.equal(isTrustedSender(frame('https://evil.example/'), APP_ORIGIN), false);
    assert.equal(isTrustedSender(frame('app://tessera.evil/index.html'), APP_ORIGIN), false);
    assert.equal(isTrustedSender(frame('file:///app/out/renderer/index.html'), APP_ORIGIN), false);
    assert.equal(isTrustedSender(null, APP_ORIGIN), false, 'a frame that is gone');
  });

  // Handlers that answer two channels and record every call.
  const calls: string[] = [];
  const handlers = new Proxy({} as ContractHandlers, {
    get: (_t, channel: string) => () => {
      calls.push(channel);
      if (channel === 'boards:list') return [];
      if (channel === 'jobs:prune') return { removed: 0 };
      throw new Error(`unexpected call to ${channel}`);
    },
  });
  const registered = new Map<string, Listener>();
  const removed: string[] = [];
  const refused: string[] = [];
  const unregister = registerIpc(
    {
      handle: (
        channel: string,
        listener: (event: IpcMainInvokeEvent, payload: unknown) => unknown,
      ) => {
        assert.ok(!registered.has(channel), `${channel} registered twice`);
        registered.set(channel, listener as Listener);
      },
      removeHandler: (channel: string) => removed.push(channel),
    },
    handlers,
    { appOrigin: APP_ORIGIN, log: (l) => refused.push(l) },
  );
  const call = (channel: string, senderFrame: SenderFrame | null, payload: unknown = {}) =>
    registered.get(channel)!({ senderFrame } as unknown as IpcMainInvokeEvent, payload) as Promise<
      Result<unknown>
    >;

  test('one handler per contract channel, and nothing else', () => {
    assert.deepEqual([...registered.keys()].sort(), Object.keys(CHANNELS).sort());
    assert.deepEqual([...CONTRACT_CHANNELS].sort(), Object.keys(CHANNELS).sort());
  });
  test('the app page is answered through the router (parsed request, Result)', async () => {
    assert.deepEqual(await call('boards:list', trusted), { ok: true, value: [] });
    assert.deepEqual(await call('jobs:prune', trusted), { ok: true, value: { removed: 0 } });
    const bad = await call('gallery:get', trusted, { id: 'one' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'bad-request');
    assert.deepEqual(calls, ['boards:list', 'jobs:prune']);
  });
  test('any other sender gets "forbidden", and no handler runs', async () => {
    calls.length = 0;
    for (const sender of [
      frame(APP_PAGE_URL, trusted),
      frame('https://evil.example/'),
      frame('file:///etc/passwd'),
      null,
    ]) {
      const r = await call('boards:list', sender);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, 'forbidden');
    }
    assert.deepEqual(calls, []);
    assert.equal(refused.filter((l) => l.startsWith('refused boards:list')).length, 4);
  });
  test('the registration can be undone', () => {
    unregister();
    assert.deepEqual(removed.sort(), Object.keys(CHANNELS).sort());
  });
  test('events reach the page as one message, and not a destroyed one', () => {
    const sent: unknown[][] = [];
    let destroyed = false;
    const send = eventSender(() => ({
      send: (...args: unknown[]) => sent.push(args),
      isDestroyed: () => destroyed,
    }));
    send('gallery:changed', { assetIds: [1] });
    destroyed = true;
    send('gallery:changed', { assetIds: [2] });
    eventSender(() => null)('gallery:changed', { assetIds: [3] });
    assert.deepEqual(sent, [[EVENT_MESSAGE, 'gallery:changed', { assetIds: [1] }]]);
    assert.equal(PRELOAD_EVENT_MESSAGE, EVENT_MESSAGE);
  });
});

describe('preload (exposes only the contract, never ipcRenderer)', () => {
  function fakeIpcRenderer() {
    const listeners = new Map<string, Listener[]>();
    const invoked: unknown[][] = [];
    const ipc = {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, value: args[1] };
      },
      on: (name: string, l: Listener) => {
        listeners.set(name, [...(listeners.get(name) ?? []), l]);
        return ipc;
      },
      removeListener: (name: string, l: Listener) => {
        listeners.set(
          name,
          (listeners.get(name) ?? []).filter((x) => x !== l),
        );
        return ipc;
      },
    };
    const emit = (...args: unknown[]) => {
      for (const l of listeners.get(EVENT_MESSAGE) ?? []) l({ sender: ipc }, ...args);
    };
    return { ipc, invoked, listeners, emit };
  }

  test('the name lists are exactly the contract', () => {
    assert.deepEqual([...CHANNEL_NAMES].sort(), Object.keys(CHANNELS).sort());
    assert.deepEqual([...EVENT_NAMES].sort(), Object.keys(EVENTS).sort());
  });

  test('invoke passes contract channels only', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const api = createBridge(ipc as never);
    assert.deepEqual(await api.invoke('boards:list', {}), { ok: true, value: {} });
    for (const channel of ['tessera:event', 'ELECTRON_BROWSER_REQUIRE', 'boards:nuke', '', 42]) {
      const r = await api.invoke(channel as never, {} as never);
      assert.deepEqual(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, 'unknown-channel');
    }
    assert.deepEqual(invoked, [['boards:list', {}]]);
  });

  test('a failed IPC call is a Result too, never a rejection', async () => {
    const { ipc } = fakeIpcRenderer();
    ipc.invoke = async () => {
      throw new Error("No handler registered for 'boards:list'");
    };
    const r = await createBridge(ipc as never).invoke('boards:list', {});
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'ipc-failed');
  });

  test('on: the handler gets the payload only, for its event only; unsubscribe removes it', () => {
    const { ipc, listeners, emit } = fakeIpcRenderer();
    const api = createBridge(ipc as never);
    const got: unknown[][] = [];
    const other: unknown[] = [];
    const off = api.on('gallery:changed', (...args: unknown[]) => got.push(args));
    const offOther = api.on('jobs:event', (p) => other.push(p));
    emit('gallery:changed', { assetIds: [1] });
    emit('jobs:event', { type: 'paused', jobId: 'j' });
    assert.deepEqual(got, [[{ assetIds: [1] }]], 'no IPC event object (its sender is ipcRenderer)');
    assert.equal(other.length, 1);
    off();
    off();
    assert.equal(listeners.get(EVENT_MESSAGE)!.length, 1, 'only its own listener was removed');
    emit('gallery:changed', { assetIds: [2] });
    assert.equal(got.length, 1);
    offOther();
    assert.equal(listeners.get(EVENT_MESSAGE)!.length, 0);
    assert.throws(() => api.on('ipc:anything' as never, () => {}), /no event/);
  });

  test('the bundled preload requires only electron and exposes { invoke, on } as window.tessera', async () => {
    const out = await build({
      ...targets.preload,
      write: false,
      logLevel: 'silent',
      sourcemap: false,
    });
    const code = out.outputFiles[0]!.text;
    assert.ok(
      code.length < 8_000,
      `the preload stays tiny (${code.length} bytes): no zod, no schemas`,
    );
    const { ipc } = fakeIpcRenderer();
    const exposed: [string, unknown][] = [];
    const required: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
      ipcRenderer: ipc,
    };
    const module = { exports: {} };
    runInNewContext(code, {
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name === 'electron') return electron;
        throw new Error(`a sandboxed preload cannot require ${name}`);
      },
    });
    assert.deepEqual(required, ['electron']);
    assert.equal(exposed.length, 1);
    const [key, api] = exposed[0]!;
    assert.equal(key, 'tessera');
    assert.deepEqual(Object.keys(api as object).sort(), ['invoke', 'on']);
    for (const value of Object.values(api as object)) {
      assert.equal(typeof value, 'function');
      assert.notEqual(value, ipc);
    }
    assert.ok(Object.isFrozen(api));
  });
});

describe('local content over custom protocols, not file:// (checklist 1, 18)', () => {
  const library = join(work, 'library');
  const gallery = openGallery(library);
  after(() => gallery.close());
  const handle = createAssetHandler(gallery);

  test('both schemes are privileged in one registration', () => {
    assert.deepEqual(
      PRIVILEGED_SCHEMES.map((s) => s.scheme),
      ['app', 'tessera-asset'],
    );
    for (const s of PRIVILEGED_SCHEMES) {
      assert.equal(s.privileges?.standard, true);
      assert.equal(s.privileges?.secure, true);
      assert.equal(s.privileges?.supportFetchAPI, true);
      assert.notEqual(s.privileges?.bypassCSP, true);
    }
  });

  test('an image in the library is served by its hash, and its thumbnail with ?size=thumb', async () => {
    const png = encodePng(new Uint8Array(4 * 4 * 3).fill(200), 4, 4);
    const { sha256 } = await gallery.storeBytes(png);
    const r = await handle(new Request(`tessera-asset://${sha256}`));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/png');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('access-control-allow-origin'), APP_ORIGIN);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), Buffer.from(png));
    // Chromium's spelling of the same URL (a standard scheme gets a "/" path).
    assert.equal((await handle(new Request(`tessera-asset://${sha256}/`))).status, 200);
    // No thumbnail yet: the original.
    const noThumb = await handle(new Request(`tessera-asset://${sha256}?size=thumb`));
    assert.equal(noThumb.headers.get('content-type'), 'image/png');
    await noThumb.arrayBuffer();
    mkdirSync(join(library, 'thumbs'), { recursive: true });
    writeFileSync(join(library, 'thumbs', `${sha256}-256.webp`), 'RIFF....WEBP');
    const thumb = await handle(new Request(`tessera-asset://${sha256}/?size=thumb`));
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    assert.equal(await thumb.text(), 'RIFF....WEBP');
    const head = await handle(new Request(`tessera-asset://${sha256}`, { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(png.length));
  });

  test('anything but a bare SHA-256 is refused: no path can be named', async () => {
    const sha = 'a'.repeat(64);
    writeFileSync(join(work, 'secret.txt'), 'secret');
    const notInLibrary = `tessera-asset://${'b'.repeat(64)}`;
    assert.equal((await handle(new Request(notInLibrary))).status, 404);
    for (const url of [
      `tessera-asset://${sha.toUpperCase()}`,
      `tessera-asset://${sha.slice(1)}`,
      `tessera-asset://${sha}0`,
      `tessera-asset://${sha}/../../secret.txt`,
      `tessera-asset://${sha}/x`,
      'tessera-asset://..%2f..%2fsecret.txt',
      'tessera-asset://../secret.txt',
      `tessera-asset://user@${sha}`,
      `tessera-asset://${sha}:80`,
      `tessera-asset:///${join(work, 'secret.txt')}`,
      `file://${join(work, 'secret.txt')}`,
      'tessera-asset://objects',
    ]) {
      assert.equal(parseAssetUrl(url), null, url);
      // (a plain object: Node's Request refuses some of these URLs; Chromium's may not)
      const r = await handle({ url, method: 'GET' } as Request);
      assert.equal(r.status, 404, url);
      assert.notEqual(await r.text(), 'secret');
    }
    assert.equal(
      (await handle(new Request(`tessera-asset://${sha}`, { method: 'POST' }))).status,
      405,
    );
  });

  test('the page comes from app://tessera: index and assets by name only, with the CSP', async () => {
    const renderer = join(work, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Tessera</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(work, 'outside.txt'), 'outside');
    const serve = createAppHandler(renderer);
    const page = await serve(new Request(APP_PAGE_URL));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(await page.text(), /<title>Tessera/);
    const script = await serve(new Request(`${APP_ORIGIN}/assets/app.js`));
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    await script.arrayBuffer();
    for (const url of [
      `${APP_ORIGIN}/../outside.txt`,
      `${APP_ORIGIN}/assets/..%2f..%2foutside.txt`,
      `${APP_ORIGIN}/assets/../../outside.txt`,
      `${APP_ORIGIN}/outside.txt`,
      `${APP_ORIGIN}/assets/nothing.js`,
      'app://elsewhere/index.html',
    ]) {
      const r = await serve(new Request(url));
      assert.equal(r.status, 404, url);
      assert.notEqual(await r.text(), 'outside');
    }
    assert.equal(resolveAppFile(`${APP_ORIGIN}/`, renderer), join(renderer, 'index.html'));
  });
});

describe('the shell source (checklist 1, 15, 18 and the preload rule)', () => {
  const sources = (dir: string) =>
    readdirSync(join(import.meta.dirname, dir))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => ({
        f: `${dir}/${f}`,
        // The code, without its comments (which may well mention file:// to say why not).
        text: readFileSync(join(import.meta.dirname, dir, f), 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
          .join('\n'),
      }));
  const main = sources('.');
  const preload = sources('../preload');

  test('no shell.openExternal anywhere, so no page-supplied URL reaches the OS (15)', () => {
    for (const { f, text } of [...main, ...preload]) assert.doesNotMatch(text, /openExternal/, f);
  });
  test('the page and images are loaded from the custom schemes, never file:// or the network (1, 18)', () => {
    const mainTs = main.find((s) => s.f === './main.ts')!.text;
    assert.match(mainTs, /loadURL\(APP_PAGE_URL\)/);
    assert.match(mainTs, /app\.enableSandbox\(\)/);
    for (const { f, text } of main) {
      assert.doesNotMatch(text, /loadFile\(|['"`]file:\/\//, f);
      assert.doesNotMatch(text, /['"`]https?:\/\//, f);
    }
  });
  test('the preload never hands ipcRenderer (or an IPC event) to the page', () => {
    const text = preload.map((s) => s.text).join('\n');
    assert.doesNotMatch(text, /exposeInMainWorld\(\s*['"][^'"]*['"]\s*,\s*ipcRenderer\b/);
    assert.equal((text.match(/exposeInMainWorld\(/g) ?? []).length, 1);
  });
});
