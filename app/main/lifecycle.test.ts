/**
 * The desktop shell's small parts under plain Node: the event-loop lag meter, the orderly quit,
 * the data folder, the menu and its import command, and the dialog handlers.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import type { QueueEvent } from '../common/queue-contract.ts';
import type { DialogApi } from './dialogs.ts';
import { chooseZipTarget, dialogHandlers, IMAGE_EXTENSIONS } from './dialogs.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import { importSummary, importWithDialog } from './menu-actions.ts';
import { menuTemplate, type MenuCommands } from './menu.ts';
import { resolveHome } from '../models/data-home.ts';
import { bundlePaths, studioHome } from './paths.ts';
import { shutdownStudio } from './shutdown.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('event-loop lag while jobs run', () => {
  test('an idle loop has a small p99; a blocked one shows the block', async () => {
    const lag = new EventLoopLag(5);
    assert.equal(lag.p99Ms(), null, 'nothing measured yet');
    lag.start();
    await sleep(200);
    const idle = lag.stop()!;
    assert.ok(idle.samples > 10, `${idle.samples} samples`);
    // (the median: one descheduling of a busy machine is this small sample's p99)
    assert.ok(idle.p50Ms < 20, `idle median ${idle.p50Ms} ms`);
    lag.start();
    for (let i = 0; i < 6; i++) {
      await sleep(10);
      block(80);
    }
    const blocked = lag.stop()!;
    assert.ok(blocked.p99Ms >= 70, `blocked p99 ${blocked.p99Ms} ms`);
    assert.ok(blocked.maxMs >= blocked.p99Ms);
    assert.equal(lag.p99Ms(), blocked.p99Ms, 'the last window stays readable');
  });

  test('measures from the first started job until none is running, then logs one line', async () => {
    const lines: string[] = [];
    const lag = new EventLoopLag(5, (l) => lines.push(l));
    const ev = (type: string, jobId: string) => ({ type, jobId }) as QueueEvent;
    lag.observe(ev('started', 'a'));
    lag.observe(ev('started', 'b'));
    await sleep(50);
    lag.observe(ev('progress', 'a'));
    lag.observe(ev('completed', 'a'));
    assert.equal(lines.length, 0, 'b still runs');
    assert.ok(lag.p99Ms() !== null, 'readable while running');
    await sleep(30);
    lag.observe(ev('paused', 'b'));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^main event-loop delay while jobs ran: p50 [\d.]+ ms, p99 [\d.]+ ms/);
    lag.observe(ev('failed', 'nobody'));
    assert.equal(lines.length, 1, 'an unknown job changes nothing');
  });
});

describe('orderly quit', () => {
  function parts(idleMs: number) {
    const order: string[] = [];
    return {
      order,
      parts: {
        service: {
          runner: { pauseRunning: () => order.push('pause') },
          idle: async () => {
            await sleep(idleMs);
            order.push('idle');
          },
        },
        client: { close: async () => void order.push('client') },
        gallery: { close: () => void order.push('gallery') },
      },
    };
  }

  test('pauses running jobs, waits for the queue, then closes inference and the library', async () => {
    const { order, parts: p } = parts(20);
    assert.equal(await shutdownStudio(p, { timeoutMs: 1000 }), 'clean');
    assert.deepEqual(order, ['pause', 'idle', 'client', 'gallery']);
  });

  test('a job that will not pause in time is left for the next launch to resume', async () => {
    const { order, parts: p } = parts(500);
    const lines: string[] = [];
    assert.equal(
      await shutdownStudio(p, { timeoutMs: 30, log: (l) => lines.push(l) }),
      'timed-out',
    );
    assert.deepEqual(order, ['pause'], 'neither inference nor the library is closed under it');
    assert.match(lines[0]!, /resumes at the next launch/);
  });
});

test("the data folder: TESSERA_HOME, else the CLI's; the bundle layout next to out/main", () => {
  // Without TESSERA_HOME the desktop app opens the library the CLI uses.
  assert.equal(studioHome({}), resolveHome(undefined));
  assert.equal(studioHome({ TESSERA_HOME: '  ' }), resolveHome(undefined));
  assert.equal(studioHome({ TESSERA_HOME: 'rel/home' }), resolve('rel/home'));
  const p = bundlePaths('/app/out/main');
  assert.equal(p.preload, join('/app/out/preload/preload.cjs'));
  assert.equal(p.rendererDir, join('/app/out/renderer'));
  assert.equal(p.inferenceHost, join('/app/out/inference/host.mjs'));
});

describe('menu', () => {
  const clicked: string[] = [];
  const commands: MenuCommands = {
    importFiles: () => clicked.push('importFiles'),
    importFolder: () => clicked.push('importFolder'),
    exportSelection: () => clicked.push('exportSelection'),
    openDataFolder: () => clicked.push('openDataFolder'),
  };
  const flat = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])]);
  const build = (platform: NodeJS.Platform, isDev: boolean) =>
    menuTemplate({ platform, isDev, appName: 'Tessera', commands });

  test('File, Edit, View, Window, Help; the app menu first on macOS', () => {
    assert.deepEqual(
      build('linux', false).map((m) => m.label),
      ['&File', '&Edit', '&View', '&Window', '&Help'],
    );
    assert.equal(build('darwin', false)[0]!.label, 'Tessera');
  });

  test('the usual shortcuts and roles', () => {
    const items = flat(build('linux', false));
    const roles = items.map((i) => i.role).filter(Boolean);
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit'] as const)
      assert.ok(roles.includes(role), role);
    for (const role of ['zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen'] as const)
      assert.ok(roles.includes(role), role);
    const byLabel = new Map(items.map((i) => [i.label, i]));
    assert.equal(byLabel.get('Import Images…')!.accelerator, 'CmdOrCtrl+O');
    assert.equal(byLabel.get('Import Folder…')!.accelerator, 'CmdOrCtrl+Shift+O');
    assert.equal(byLabel.get('Export…')!.accelerator, 'CmdOrCtrl+E');
  });

  test('reload and DevTools only in development', () => {
    const roles = (isDev: boolean) => flat(build('linux', isDev)).map((i) => i.role);
    for (const role of ['reload', 'forceReload', 'toggleDevTools'] as const) {
      assert.ok(!roles(false).includes(role), `${role} in production`);
      assert.ok(roles(true).includes(role), `${role} in development`);
    }
  });

  test('the File items run their commands', () => {
    for (const item of flat(build('win32', false)))
      if (item.click !== undefined) (item.click as () => void)();
    assert.deepEqual(clicked.sort(), [
      'exportSelection',
      'importFiles',
      'importFolder',
      'openDataFolder',
    ]);
  });
});

/** A dialog that answers with `paths` and records message boxes. */
function fakeDialog(answer: { filePaths: string[]; canceled: boolean; filePath?: string }) {
  const messages: { message: string; detail?: string }[] = [];
  const opened: unknown[] = [];
  const dialog = {
    showOpenDialog: async (...args: unknown[]) => {
      opened.push(args.at(-1));
      return answer;
    },
    showSaveDialog: async (...args: unknown[]) => {
      opened.push(args.at(-1));
      return { canceled: answer.canceled, filePath: answer.filePath ?? '' };
    },
    showMessageBox: async (...args: unknown[]) => {
      messages.push(args.at(-1) as { message: string });
      return { response: 0, checkboxChecked: false };
    },
  };
  return { dialog: dialog as unknown as DialogApi, messages, opened };
}

describe('import from the menu', () => {
  test('a cancelled dialog imports nothing', async () => {
    const { dialog } = fakeDialog({ filePaths: [], canceled: true });
    let called = false;
    const r = await importWithDialog('files', {
      dialog,
      parent: null,
      importPaths: async () => {
        called = true;
        return { ok: true, value: [] };
      },
    });
    assert.equal(r, null);
    assert.equal(called, false);
  });

  test('a folder is imported recursively through the contract; only failures are reported', async () => {
    const { dialog, messages, opened } = fakeDialog({ filePaths: ['/photos'], canceled: false });
    const requests: unknown[] = [];
    const r = await importWithDialog('folder', {
      dialog,
      parent: null,
      importPaths: async (request) => {
        requests.push(request);
        return {
          ok: true,
          value: [
            { path: '/photos/a.png', status: 'imported', assetId: 1, message: null },
            { path: '/photos/b.png', status: 'exists', assetId: 2, message: null },
            { path: '/photos/c.png', status: 'failed', assetId: null, message: 'not an image' },
          ],
        };
      },
    });
    assert.deepEqual(requests, [{ paths: ['/photos'], recursive: true }]);
    assert.deepEqual((opened[0] as { properties: string[] }).properties, [
      'openDirectory',
      'createDirectory',
    ]);
    assert.deepEqual(r, {
      imported: 1,
      existing: 1,
      failed: [{ path: '/photos/c.png', message: 'not an image' }],
    });
    assert.equal(messages.length, 1);
    assert.equal(
      messages[0]!.message,
      'Imported 1 image; 1 already in the library; 1 could not be read.',
    );
    assert.match(messages[0]!.detail!, /c\.png: not an image/);
  });

  test('a clean import says nothing (the gallery shows the new images)', async () => {
    const { dialog, messages } = fakeDialog({ filePaths: ['/a.png', '/b.png'], canceled: false });
    const r = await importWithDialog('files', {
      dialog,
      parent: null,
      importPaths: async ({ paths }) => ({
        ok: true,
        value: paths.map((path, i) => ({
          path,
          status: 'imported' as const,
          assetId: i + 1,
          message: null,
        })),
      }),
    });
    assert.equal(r!.imported, 2);
    assert.equal(messages.length, 0);
    assert.equal(importSummary(r!), 'Imported 2 images.');
  });

  test('a refused import shows its error', async () => {
    const { dialog, messages } = fakeDialog({ filePaths: ['/x.png'], canceled: false });
    await importWithDialog('files', {
      dialog,
      parent: null,
      importPaths: async () => ({
        ok: false,
        error: { code: 'disk-full', message: 'the disk is full' },
      }),
    });
    assert.equal(messages[0]!.detail, 'the disk is full');
  });
});

test('dialog handlers for the proposed dialog:* channels', async () => {
  const { dialog } = fakeDialog({ filePaths: ['/a.png'], canceled: false, filePath: '/out/pics' });
  const handlers = dialogHandlers(dialog, () => null) as Record<
    string,
    (r: object) => Promise<unknown>
  >;
  assert.deepEqual(await handlers['dialog:openFiles']!({}), { paths: ['/a.png'] });
  const one = fakeDialog({ filePaths: ['/b.png'], canceled: false });
  const single = dialogHandlers(one.dialog, () => null) as typeof handlers;
  assert.deepEqual(
    await single['dialog:openFiles']!({ title: 'Open', buttonLabel: 'Open', multiple: false }),
    { paths: ['/b.png'] },
  );
  assert.deepEqual(one.opened[0], {
    title: 'Open',
    buttonLabel: 'Open',
    properties: ['openFile'],
    filters: [
      { name: 'Images', extensions: IMAGE_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  assert.deepEqual(await handlers['dialog:openFolder']!({}), { path: '/a.png' });
  assert.deepEqual(await handlers['dialog:saveZip']!({}), { path: '/out/pics.zip' });
  const cancelled = fakeDialog({ filePaths: [], canceled: true });
  assert.equal(await chooseZipTarget(cancelled.dialog, null), null);
});
