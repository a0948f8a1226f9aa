/**
 * The flow objective's solvers (Euler, Heun, midpoint, and RePaint's flow resampling) against
 * the Python reference loop: the smoke weights under a flow manifest (testing/flow-golden.json,
 * written by testing/flow_goldens.py), image PSNR ≥ 45 dB and the same number of network calls.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { denoise, type DiffusionSettings } from './denoise.ts';
import { TransfusionModel } from './model.ts';
import { patchify, patchifyMask, unpatchify } from './patches.ts';
import { psnr } from './testing/psnr.ts';
import { FLOW_GOLDEN, SMOKE_DIR } from './testing/test-model.ts';

interface FlowGolden {
  diffusion: unknown;
  sourceRgbBase64: string;
  keepMaskBase64: string;
  cases: {
    prompt: string;
    style: string;
    seed: number;
    settings: DiffusionSettings;
    infill: boolean;
    calls: number;
    rgbBase64: string;
  }[];
}

const golden = JSON.parse(readFileSync(FLOW_GOLDEN, 'utf8')) as FlowGolden;
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('transfusion flow solvers', () => {
  let dir: string;
  let model: TransfusionModel;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-transfusion-flow-'));
    cpSync(SMOKE_DIR, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      diffusion: unknown;
    };
    manifest.diffusion = golden.diffusion;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    model = await TransfusionModel.load(dir);
  });
  after(async () => {
    await model.release();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of golden.cases) {
    const what = `${c.settings.sampler} at ${c.settings.steps} steps${c.infill ? ', infill resampled' : ''}`;
    it(`samples ${what} like Python`, async () => {
      const size = model.manifest.image.width;
      const patch = model.manifest.image.patch!;
      const out = (await denoise(model, {
        captionIds: model.captionIds(c.prompt, c.style),
        seed: c.seed,
        imageIndex: 0,
        settings: c.settings,
        ...(c.infill
          ? {
              known: {
                x0: patchify(bytes(golden.sourceRgbBase64), size, patch),
                keep: patchifyMask(bytes(golden.keepMaskBase64), size, patch),
              },
            }
          : {}),
      }))!;
      assert.equal(out.calls, c.calls);
      const db = psnr(unpatchify(out.x, size, patch), bytes(c.rgbBase64));
      assert.ok(db >= 45, `PSNR ${db.toFixed(1)} dB < 45`);
    });
  }
});
