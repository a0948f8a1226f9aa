/**
 * Entry point of the inference process in the desktop app: an Electron utilityProcess started
 * by the main process (transport-electron.ts), bundled to out/inference/host.mjs. Messages from
 * the main process arrive on `process.parentPort` as `{ data }` events.
 */
import type { ParentPort } from 'electron';
import type { HostOutbound } from '../common/inference-contract.ts';
import { supportedProviders } from './engine/ort.ts';
import { startHost } from './host.ts';

// Typed by electron.d.ts, but absent when this file is run anywhere but a utility process.
const port = (process as { parentPort?: ParentPort }).parentPort;
if (port === undefined) {
  console.error('host-electron.ts runs as an Electron utilityProcess started by the main process');
  process.exit(2);
}
startHost({
  send: (message: HostOutbound) => port.postMessage(message),
  onMessage: (handler) => port.on('message', (event) => handler(event.data)),
});
port.postMessage({ type: 'providers', providers: supportedProviders() } satisfies HostOutbound);
