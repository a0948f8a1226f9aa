/**
 * The studio's main-process event loop under load: the same StudioService the desktop app and
 * web mode mount, driven through the contract (dispatch), while it runs 20 generations and
 * then captions a folder of 200 photos (XMP on). Prints p50/p99/max event-loop delay (sampled
 * every 1 ms, which the numbers include) for each
 * phase and for an idle baseline, measured side by side in one run (goal: p99 ≤ 16 ms).
 *
 *   node --import tsx bench/studio-lag.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import type { ModelView } from '../app/common/contract.ts';
import { openGallery } from '../app/gallery/index.ts';
import { InferenceClient } from '../app/inference/client.ts';
import { dispatch } from '../app/server/router.ts';
import { StudioService } from '../app/server/studio-service.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-bench-lag-'));
const gallery = openGallery(join(work, 'library'));
const client = new InferenceClient();
const service = new StudioService(work, gallery, client, () => {});

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(service.handlers, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}

async function measure(label: string, work: () => Promise<void>) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const started = performance.now();
  await work();
  h.disable();
  const ms = (ns: number) => ns / 1e6;
  return {
    label,
    seconds: (performance.now() - started) / 1000,
    p50: ms(h.percentile(50)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
  };
}

try {
  const folder = join(work, 'photos');
  mkdirSync(folder);
  for (let i = 0; i < 200; i++)
    await sharp({
      create: { width: 800, height: 600, channels: 3, background: { r: i, g: 255 - i, b: 128 } },
    })
      .jpeg()
      .toFile(join(folder, `p${i}.jpg`));
  const [model] = await call<ModelView[]>('models:list', {});
  const rows = [];
  rows.push(await measure('idle baseline', () => new Promise((r) => setTimeout(r, 2000))));
  rows.push(
    await measure('20 generations', async () => {
      await call('jobs:submitGenerate', {
        modelId: model!.id,
        provider: 'cpu',
        prompt: 'red heart',
        negativePrompt: '',
        style: null,
        seed: 1,
        bestOf: 1,
        count: 20,
        sampling: { ...model!.sampling.defaults, cdk: null },
        boardId: null,
      });
      await service.idle();
    }),
  );
  rows.push(
    await measure('captioning 200 photos', async () => {
      await call('jobs:submitCaptionFolder', {
        modelId: model!.id,
        provider: 'cpu',
        folder,
        recursive: false,
        writeXmp: true,
        retryFailed: false,
      });
      await service.idle();
    }),
  );
  console.log('| phase | seconds | event-loop delay p50 | p99 | max |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.label} | ${r.seconds.toFixed(1)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.max.toFixed(2)} ms |`,
    );
  const worst = Math.max(...rows.slice(1).map((r) => r.p99));
  console.log(
    `\nworst p99 while working: ${worst.toFixed(2)} ms (goal ≤ 16 ms): ${worst <= 16 ? 'met' : 'NOT met'}`,
  );
} finally {
  await client.close();
  gallery.close();
  rmSync(work, { recursive: true, force: true });
}
