/**
 * Folder captioning throughput: 1,000 photo-sized JPEGs captioned by the embedded model through
 * the real job (scan, hash, decode, caption in the inference process, commit, XMP sidecar).
 * Prints images per second and the share of wall time the model was busy (goal ≥ 0.9), for the
 * shipped pipeline (decoding overlapped with inference, two requests in flight) side by side
 * with a strictly sequential one, in one run on one machine.
 *
 *   node --import tsx bench/caption.ts [--images N] [--threads N]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { CaptionFolderJob } from '../app/common/queue-contract.ts';
import { openGallery } from '../app/gallery/index.ts';
import { InferenceClient } from '../app/inference/client.ts';
import { CAPTION_PIPELINE } from '../app/jobs/executors/caption-folder.ts';
import { JobRunner } from '../app/jobs/runner.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../app/models/installed.ts';

const { values } = parseArgs({
  options: { images: { type: 'string' }, threads: { type: 'string' } },
});
const IMAGES = Number(values.images ?? 1000);
const THREADS = Number(values.threads ?? 1);

async function makePhotos(dir: string, count: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const h = (i * 37) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="768"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h},60%,70%)"/><stop offset="1" stop-color="hsl(${(h + 90) % 360},50%,30%)"/></linearGradient></defs><rect width="1024" height="768" fill="url(#g)"/><circle cx="${200 + (i % 13) * 50}" cy="${250 + (i % 7) * 40}" r="${60 + (i % 5) * 30}" fill="hsl(${(h + 200) % 360},80%,55%)"/><rect x="${(i * 53) % 800}" y="500" width="180" height="140" fill="hsl(${(h + 40) % 360},70%,45%)"/></svg>`;
    await sharp(Buffer.from(svg))
      .jpeg({ quality: 88 })
      .toFile(join(dir, `photo-${String(i).padStart(4, '0')}.jpg`));
  }
}

async function captionOnce(folder: string, label: string, pipeline: typeof CAPTION_PIPELINE) {
  Object.assign(CAPTION_PIPELINE, pipeline);
  const libraryDir = mkdtempSync(join(tmpdir(), 'tessera-bench-lib-'));
  const gallery = openGallery(libraryDir);
  const client = new InferenceClient();
  try {
    const request: CaptionFolderJob = {
      kind: 'caption-folder',
      modelId: DEFAULT_MODEL_ID,
      provider: 'cpu',
      threads: THREADS,
      folder,
      recursive: false,
      includeHidden: false,
      writeXmp: false,
      retryFailed: false,
    };
    gallery.jobs.submit({ kind: 'caption-folder', modelId: DEFAULT_MODEL_ID, request });
    const runner = new JobRunner({
      gallery,
      client,
      resolveModel: (id) => resolveModel(libraryDir, id),
    });
    const started = Date.now();
    const [job] = await runner.drain();
    const wall = (Date.now() - started) / 1000;
    const r = job!.result as {
      busyShare: number;
      seconds: number;
      captioned: number;
      failed: number;
    };
    if (r.captioned !== IMAGES) throw new Error(`${label}: captioned ${r.captioned} of ${IMAGES}`);
    return {
      label,
      wall,
      captionSeconds: r.seconds,
      perSecond: IMAGES / r.seconds,
      busy: r.busyShare,
    };
  } finally {
    await client.close();
    gallery.close();
    rmSync(libraryDir, { recursive: true, force: true });
  }
}

const work = mkdtempSync(join(tmpdir(), 'tessera-bench-caption-'));
try {
  const folder = join(work, 'photos');
  const t0 = Date.now();
  await makePhotos(folder, IMAGES);
  console.log(
    `made ${IMAGES} 1024×768 JPEGs in ${((Date.now() - t0) / 1000).toFixed(1)} s; model threads ${THREADS}`,
  );
  const shipped = { ...CAPTION_PIPELINE };
  const rows: Awaited<ReturnType<typeof captionOnce>>[] = [];
  // Alternate the two settings so machine noise hits both alike.
  for (let round = 0; round < 2; round++) {
    rows.push(await captionOnce(folder, 'overlapped (shipped)', shipped));
    rows.push(await captionOnce(folder, 'sequential', { prefetchDepth: 0, inFlight: 1 }));
  }
  console.log('\n| pipeline | images/s | model busy | caption phase s |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.label} | ${r.perSecond.toFixed(1)} | ${(r.busy * 100).toFixed(1)}% | ${r.captionSeconds.toFixed(1)} |`,
    );
  const mean = (label: string, key: 'perSecond' | 'busy') => {
    const xs = rows.filter((r) => r.label === label).map((r) => r[key]);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const busy = mean('overlapped (shipped)', 'busy');
  console.log(
    `\nshipped pipeline: model busy ${(busy * 100).toFixed(1)}% (goal ≥ 90%): ${busy >= 0.9 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `throughput ratio overlapped ÷ sequential: ${(mean('overlapped (shipped)', 'perSecond') / mean('sequential', 'perSecond')).toFixed(2)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
