// Module hooks for tests: `electron` resolves to the fake in this folder (Electron's binary,
// which the real package needs at runtime, is not available to tests).
import { URL } from 'node:url';

const FAKE = new URL('./fake-electron.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: FAKE, shortCircuit: true };
  return next(specifier, context);
}
