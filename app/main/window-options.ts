/**
 * The studio window's options: a sandboxed, context-isolated page with no Node.js, no
 * <webview>, no relaxed web security and no experimental features (Electron's security
 * checklist, items 2-4, 6, 8-10, 12), hidden until its first paint so it never flashes white.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The UI's background (renderer's dark theme), shown before the page paints. */
export const WINDOW_BACKGROUND = '#16171b';

export interface WindowOptionsInput {
  /** Absolute path of out/preload/preload.cjs. */
  preload: string;
  /** DevTools only in development. */
  devTools?: boolean;
}

export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Tessera',
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: input.devTools ?? false,
    },
  };
}
