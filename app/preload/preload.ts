/**
 * The preload of the studio window: sandboxed, so bundled to one CommonJS file
 * (out/preload/preload.cjs) that requires nothing but `electron`. It exposes `window.tessera`
 * (bridge.ts) and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('tessera', createBridge(ipcRenderer));
