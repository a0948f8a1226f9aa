/**
 * The layering of docs/architecture.md §Processes and §Layering as the bundles show it
 * (electron.config.ts, built in memory): the main process never contains onnxruntime or inference
 * code beyond the client, the inference host does, and the sandboxed preload requires nothing but
 * electron.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { targets } from '../../electron.config.ts';

async function bundle(name: string): Promise<{ inputs: string[]; externals: string[] }> {
  const r = await build({
    ...targets[name]!,
    write: false,
    metafile: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  const meta: Metafile = r.metafile;
  const output = Object.values(meta.outputs)[0]!;
  return {
    inputs: Object.keys(meta.inputs),
    externals: [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))],
  };
}

test('main: no onnxruntime, no inference engine or families, only the client and its transports', async () => {
  const { inputs, externals } = await bundle('main');
  assert.ok(!externals.includes('onnxruntime-node'), 'main never loads onnxruntime-node');
  assert.ok(externals.includes('electron'));
  assert.ok(!inputs.includes('app/inference/engine/ort.ts'));
  assert.deepEqual(
    inputs.filter((i) => /^app\/inference\/(families|host)/.test(i)),
    [],
    'no family loops or host code in main',
  );
  assert.ok(inputs.includes('app/inference/transport-electron.ts'));
  assert.ok(inputs.includes('app/main/main.ts'));
});

test('inference: the utility-process host with the engine, onnxruntime left to node_modules', async () => {
  const { inputs, externals } = await bundle('inference');
  assert.ok(inputs.includes('app/inference/host-electron.ts'));
  assert.ok(inputs.includes('app/inference/engine/ort.ts'));
  assert.ok(externals.includes('onnxruntime-node'));
  assert.ok(!externals.includes('electron'), 'the host uses process.parentPort, not electron');
  assert.ok(!externals.includes('better-sqlite3'), 'inference never touches the library');
});

test('preload: only electron, and only its own three files', async () => {
  const { inputs, externals } = await bundle('preload');
  assert.deepEqual(externals, ['electron']);
  assert.deepEqual(inputs.sort(), [
    'app/preload/bridge.ts',
    'app/preload/names.ts',
    'app/preload/preload.ts',
  ]);
});
