/**
 * The inference process loads a model folder the way discovery reads it: a named pipe where a
 * graph should be, or a tokenizer linked out of the folder, fails the job at once as
 * `model-invalid` with what to do, instead of blocking the process on the pipe or reading a
 * file elsewhere on the disk.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_MODEL_ID, resolveModel } from '../../models/installed.ts';
import { InferenceClient } from '../client.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-hostile-load-'));
const shipped = (await resolveModel(work, DEFAULT_MODEL_ID)).dir;
const client = new InferenceClient();
after(async () => {
  await client.close();
  rmSync(work, { recursive: true, force: true });
});

function copy(name: string, change: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(shipped, dir, { recursive: true });
  change(dir);
  return dir;
}

const score = (modelDir: string) =>
  client.run({
    task: 'score',
    modelDir,
    provider: 'cpu',
    threads: 1,
    imageRgb: Buffer.alloc(32 * 32 * 3, 255).toString('base64'),
    texts: ['red heart'],
  });

test(
  'a named pipe graph or an outside tokenizer fails the load at once',
  { timeout: 30_000 },
  async () => {
    const piped = copy('piped', (d) => {
      rmSync(join(d, 'vq_decode.onnx'));
      assert.equal(spawnSync('mkfifo', [join(d, 'vq_decode.onnx')]).status, 0);
    });
    const outside = join(work, 'outside.json');
    writeFileSync(outside, 'root:x:0:0');
    const linked = copy('linked', (d) => {
      rmSync(join(d, 'words.json'));
      symlinkSync(outside, join(d, 'words.json'));
    });
    for (const [dir, words] of [
      [piped, /vq_decode\.onnx in .* is not a regular file/],
      [linked, /words\.json in .* is not a file of the model folder/],
    ] as const) {
      const end = await score(dir);
      assert.equal(end.type, 'failed', JSON.stringify(end));
      assert.equal(end.type === 'failed' && end.code, 'model-invalid');
      assert.match(end.type === 'failed' ? end.message : '', words);
    }
    assert.equal((await score(shipped)).type, 'completed', 'the process is still serving');
  },
);
