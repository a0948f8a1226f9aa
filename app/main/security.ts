/**
 * The window's defences, each one item of Electron's security checklist
 * (electronjs.org/docs/latest/tutorial/security): no permission is ever granted, every page
 * gets the app's CSP, the page cannot navigate away, open windows, or attach a <webview>, and
 * only the app's own top-level frame may call the contract. Electron's objects are passed in,
 * so app/main/hardening.test.ts checks all of this under plain Node.
 */
import type { Session, WebContents, WebFrameMain } from 'electron';
import { CONTENT_SECURITY_POLICY, isAppPage, originOf } from './app-origin.ts';

/**
 * Denies every permission request (camera, microphone, notifications, geolocation, clipboard
 * read, openExternal, ...) and check, and adds the app's CSP to every document it loads.
 */
export function hardenSession(session: Session, log: (line: string) => void = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`denied the permission request "${permission}"`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const isDocument = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame';
    if (!isDocument) {
      callback({});
      return;
    }
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

/**
 * New windows are denied; navigation and redirects are allowed only to the app's own page
 * (parsed, never prefix-matched); <webview> cannot be attached.
 */
export function hardenContents(
  contents: WebContents,
  appOrigin: string,
  log: (line: string) => void = () => {},
): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isAppPage(event.url, appOrigin)) return;
    log(`refused to navigate to ${event.url}`);
    event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (isAppPage(event.url, appOrigin)) return;
    log(`refused a redirect to ${event.url}`);
    event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    log('refused to attach a <webview>');
    event.preventDefault();
  });
}

/** What the sender check reads of a frame (a WebFrameMain in the app). */
export type SenderFrame = Pick<WebFrameMain, 'url' | 'parent'>;

/**
 * Whether an IPC message comes from the app's own page: a frame that still exists, is the
 * top-level frame (no iframe, even a same-origin one), and shows a URL on the app's origin.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, appOrigin: string): boolean {
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  return originOf(frame.url) === appOrigin;
}
