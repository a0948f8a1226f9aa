/**
 * The desktop app's main process (docs/architecture.md §Processes): one window on the studio's own
 * page (app://tessera/index.html, sandboxed, with the contract as its only way out), the library
 * and the job queue, and inference in an Electron utilityProcess, so that onnxruntime never blocks
 * this event loop (measured while jobs run: see EventLoopLag). Bundled to out/main/main.mjs by
 * electron.config.ts; everything below is wiring of the small modules next to it.
 */
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
} from 'electron';
import type { EventOf } from '../common/contract.ts';
import { openGallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { utilityProcessSpawner } from '../inference/transport-electron.ts';
import { StudioService, type Broadcast } from '../server/studio-service.ts';
import { APP_ORIGIN, APP_PAGE_URL, APP_SCHEME, ASSET_SCHEME } from './app-origin.ts';
import { createAppHandler } from './app-protocol.ts';
import { createAssetHandler, registerPrivilegedSchemes } from './asset-protocol.ts';
import { dialogHandlers } from './dialogs.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import {
  EVENT_MESSAGE,
  eventSender,
  invokeLocal,
  registerIpc,
  type ContractHandlers,
} from './ipc.ts';
import { importWithDialog } from './menu-actions.ts';
import { menuTemplate } from './menu.ts';
import { bundlePaths, studioHome } from './paths.ts';
import { hardenContents, hardenSession } from './security.ts';
import { shutdownStudio } from './shutdown.ts';
import { windowOptions } from './window-options.ts';

const log = (line: string) => console.log(`[tessera] ${line}`);
const isDev = !app.isPackaged;
// Packaged builds carry the default models as extra resources (build/electron-builder.yml).
if (app.isPackaged) process.env.TESSERA_EMBEDDED_MODELS ??= join(process.resourcesPath, 'models');
const paths = bundlePaths(import.meta.dirname);
/** How long quitting waits for running jobs to pause before it leaves them to the next launch. */
const QUIT_TIMEOUT_MS = 20_000;

/** The main process's event-loop delay while jobs run: logged per run, and lag.p99Ms(). */
export const lag = new EventLoopLag(10, log);

// Before `ready`: privileged schemes (one call for all), sandbox for every renderer, and a
// stable data folder name (a development run is otherwise named "Electron").
registerPrivilegedSchemes(protocol);
app.enableSandbox();
app.setName('Tessera');
app.setPath('userData', join(app.getPath('appData'), 'Tessera'));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start().catch((err: unknown) => {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`could not start: ${message}`);
    dialog.showErrorBox('Tessera could not start', message);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  let window: BrowserWindow | null = null;
  let openWindow: (() => BrowserWindow) | null = null;
  // A second launch brings this one forward (or reopens its window, on macOS).
  app.on('second-instance', () => {
    if (window === null) {
      if (openWindow !== null) window = openWindow();
      return;
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, APP_ORIGIN, log));
  await app.whenReady();

  const home = studioHome(process.env);
  hardenSession(session.defaultSession, log);
  const gallery = openGallery(join(home, 'library'));
  const client = new InferenceClient(
    utilityProcessSpawner(
      (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
      paths.inferenceHost,
    ),
  );
  const toPage = eventSender(() => window?.webContents);
  const broadcast: Broadcast = (event, payload) => {
    if (event === 'jobs:event') lag.observe(payload as EventOf<'jobs:event'>);
    toPage(event, payload);
  };
  const service = new StudioService(home, gallery, client, broadcast);
  const handlers: ContractHandlers = {
    ...service.handlers,
    ...dialogHandlers(dialog, () => window),
  };

  protocol.handle(APP_SCHEME, createAppHandler(paths.rendererDir));
  protocol.handle(ASSET_SCHEME, createAssetHandler(gallery, APP_ORIGIN));
  registerIpc(ipcMain, handlers, { appOrigin: APP_ORIGIN, log });

  const importDeps = () => ({
    dialog,
    parent: window,
    importPaths: (request: { paths: string[]; recursive: boolean }) =>
      invokeLocal(handlers, 'gallery:import', request, log),
  });
  const fail = (err: unknown) => log(`menu command failed: ${String(err)}`);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        platform: process.platform,
        isDev,
        appName: app.name,
        commands: {
          importFiles: () => void importWithDialog('files', importDeps()).catch(fail),
          importFolder: () => void importWithDialog('folder', importDeps()).catch(fail),
          // The page knows the selection: it runs the export itself.
          exportSelection: () =>
            window?.webContents.send(EVENT_MESSAGE, 'menu:command', { command: 'export' }),
          // A folder of ours, opened in the file manager: never a URL from the page.
          openDataFolder: () => void shell.openPath(home).catch(fail),
        },
      }),
    ),
  );

  openWindow = (): BrowserWindow => {
    const win = new BrowserWindow(windowOptions({ preload: paths.preload, devTools: isDev }));
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (window === win) window = null;
    });
    win.loadURL(APP_PAGE_URL).catch((err: unknown) => log(`could not load the page: ${err}`));
    return win;
  };
  window = openWindow();
  app.on('activate', () => {
    if (window === null && openWindow !== null) window = openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting: 'no' | 'running' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'running') return;
    quitting = 'running';
    void shutdownStudio({ service, client, gallery }, { timeoutMs: QUIT_TIMEOUT_MS, log })
      .catch((err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        return 'timed-out' as const;
      })
      .then((outcome) => {
        quitting = 'done';
        if (outcome === 'clean') app.quit();
        else app.exit(0);
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  log(`library: ${gallery.dir}`);
  // The persisted queue carries on: queued jobs, and interrupted ones from their checkpoints.
  service.kick();
}
