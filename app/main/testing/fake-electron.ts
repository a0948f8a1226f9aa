/**
 * A stand-in for the `electron` module, for running the real app/main/main.ts under plain Node
 * (see use-fake-electron.mjs). It records what main.ts asks of Electron, emits what Electron
 * would (ready, web-contents-created, ready-to-show, before-quit), and runs inference in a Node
 * child process that looks like a utility process (inference/testing/transport-electron-fake.ts).
 */
import { EventEmitter } from 'node:events';
import { fakeUtilityFork } from '../../inference/testing/transport-electron-fake.ts';

type Handler = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  readonly sent: unknown[][] = [];
  openHandler: Handler | null = null;
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  isDestroyed(): boolean {
    return false;
  }
  setWindowOpenHandler(handler: Handler): void {
    this.openHandler = handler;
  }
}

let ready = false;
let markReady: () => void = () => {};
const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

export const record = {
  privileged: null as unknown,
  privilegedBeforeReady: false,
  sandboxEnabled: false,
  singleInstanceLocks: 0,
  protocols: new Map<string, (request: Request) => Promise<Response>>(),
  ipc: new Map<string, Handler>(),
  session: {} as Record<string, Handler>,
  windows: [] as FakeBrowserWindow[],
  menu: null as unknown,
  quitCalls: 0,
  quitted: false,
  exitCodes: [] as number[],
  errors: [] as string[],
  openedPaths: [] as string[],
  focused: 0,
  forks: fakeUtilityFork(),
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  name = 'Electron';
  private readonly paths = new Map<string, string>([
    ['appData', process.env.FAKE_APPDATA ?? '/nonexistent-appdata'],
  ]);
  enableSandbox(): void {
    record.sandboxEnabled = true;
  }
  setName(name: string): void {
    this.name = name;
  }
  getPath(name: string): string {
    const path = this.paths.get(name);
    if (path === undefined) throw new Error(`fake electron: no path "${name}"`);
    return path;
  }
  setPath(name: string, path: string): void {
    if (ready) throw new Error('setPath after ready');
    this.paths.set(name, path);
  }
  requestSingleInstanceLock(): boolean {
    record.singleInstanceLocks++;
    return process.env.FAKE_SECOND_INSTANCE !== '1';
  }
  whenReady(): Promise<void> {
    return readyPromise;
  }
  quit(): void {
    record.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) record.quitted = true;
  }
  exit(code = 0): void {
    record.exitCodes.push(code);
  }
}

export const app = new FakeApp();

/** Electron's `ready`: the scenario calls it once the entry module has been evaluated. */
export function becomeReady(): void {
  ready = true;
  markReady();
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  url: string | null = null;
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    record.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.shown = true;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    record.focused++;
  }
}
export const BrowserWindow = FakeBrowserWindow;

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown): void {
    record.privileged = schemes;
    record.privilegedBeforeReady = !ready;
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    record.protocols.set(scheme, handler);
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h: Handler) => (record.session.permissionRequest = h),
    setPermissionCheckHandler: (h: Handler) => (record.session.permissionCheck = h),
    setDevicePermissionHandler: (h: Handler) => (record.session.devicePermission = h),
    webRequest: { onHeadersReceived: (h: Handler) => (record.session.headersReceived = h) },
  },
};

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (record.ipc.has(channel)) throw new Error(`second handler for ${channel}`);
    record.ipc.set(channel, handler);
  },
  removeHandler(channel: string): void {
    record.ipc.delete(channel);
  },
};

export const Menu = {
  buildFromTemplate: (template: unknown) => ({ template }),
  setApplicationMenu: (menu: unknown) => (record.menu = menu),
};

export const dialog = {
  showErrorBox: (title: string, content: string) => record.errors.push(`${title}: ${content}`),
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  showSaveDialog: async () => ({ canceled: true, filePath: '' }),
  showMessageBox: async () => ({ response: 0, checkboxChecked: false }),
};

export const shell = {
  openPath: async (path: string) => {
    record.openedPaths.push(path);
    return '';
  },
};

export const utilityProcess = { fork: record.forks.fork };
