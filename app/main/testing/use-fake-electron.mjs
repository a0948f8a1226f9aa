// `node --import tsx --import ./app/main/testing/use-fake-electron.mjs <entry>`
import { register } from 'node:module';

register('./electron-hooks.mjs', import.meta.url);
