import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GenerateRequest } from '../../../common/inference-contract.ts';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { loadSession } from '../../engine/ort.ts';
import { loadFamilyModel } from '../registry.ts';
import { runGenerate } from './jobs.ts';
import { JetFormerModel } from './model.ts';
import { copyOfSmokeModel, damageGraph } from './testing/smoke-model.ts';

const options = { provider: 'cpu' as const, threads: 1 };

interface RawManifest {
  gmm?: unknown;
  graphs: Record<string, { file: string; sha256: string }>;
}

function editManifest(dir: string, edit: (m: RawManifest) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8')) as RawManifest;
  edit(m);
  writeFileSync(path, JSON.stringify(m));
}

test('the registry loads a jetformer export', async () => {
  const dir = copyOfSmokeModel();
  try {
    const model = await loadFamilyModel(dir, options);
    assert.equal(model.manifest.family, 'jetformer');
    assert.equal(model.manifest.capabilities.infill, 'approximate');
    await model.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing graph file or manifest entry is named with what to do', async () => {
  const dir = copyOfSmokeModel();
  try {
    rmSync(join(dir, 'text_head.onnx'));
    await assert.rejects(JetFormerModel.load(dir, options), /text_head\.onnx/);
    editManifest(dir, (m) => delete m.graphs.text_head);
    await assert.rejects(JetFormerModel.load(dir, options), /"text_head" graph/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a graph in the wrong role is refused by its inputs and outputs', async () => {
  const dir = copyOfSmokeModel();
  try {
    // embed_image's file where the GMM head should be, with its hash, so only the interface is wrong.
    const file = join(dir, 'embed_image.onnx');
    editManifest(dir, (m) => {
      m.graphs.gmm_head!.file = 'embed_image.onnx';
      m.graphs.gmm_head!.sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    });
    await assert.rejects(
      JetFormerModel.load(dir, options),
      /not a jetformer gmm_head graph \(it lacks hidden, mix_logits, means, scales\).*re-export/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a flow whose inverse does not undo its forward is refused at load', async () => {
  const dir = copyOfSmokeModel();
  try {
    damageGraph(dir, 'flow_inverse', 'shift');
    await assert.rejects(JetFormerModel.load(dir, options), /the flow in .* does not invert/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NaN from the mixture head during sampling fails the job with what to do', async () => {
  const dir = copyOfSmokeModel();
  try {
    damageGraph(dir, 'gmm_head', 'nan');
    const model = await loadFamilyModel(dir, options);
    const d = model.manifest.sampling.defaults;
    await assert.rejects(
      model.generate(
        {
          task: 'generate',
          modelDir: dir,
          provider: 'cpu',
          threads: 1,
          prompt: 'red heart',
          negativePrompt: '',
          style: null,
          seed: 1,
          imageIndex: 0,
          sampling: {
            cfgScale: d.cfgScale,
            temperature: d.temperature,
            topK: 0,
            topP: 1,
            cdk: null,
          },
          resumeFrom: null,
        },
        { stop: null },
        () => {},
      ),
      (e: Error & { code?: string }) =>
        e.code === 'model-invalid' && /non-finite.*re-export it/.test(e.message),
    );
    await model.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The generate request the job tests send, at the model's defaults. */
function generateRequest(dir: string, manifest: ModelManifest): GenerateRequest {
  const d = manifest.sampling.defaults;
  return {
    task: 'generate',
    modelDir: dir,
    provider: 'cpu',
    threads: 1,
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed: 1,
    imageIndex: 0,
    sampling: { cfgScale: d.cfgScale, temperature: d.temperature, topK: 0, topP: 1, cdk: null },
    resumeFrom: null,
  };
}

const nonFinite = (what: RegExp) => (e: Error & { code?: string }) =>
  e.code === 'model-invalid' && what.test(e.message) && /re-export it/.test(e.message);

test("non-finite pixels from the flow's inverse during sampling fail the job with what to do", async () => {
  const dir = copyOfSmokeModel();
  const broken = copyOfSmokeModel();
  try {
    // A flow that passed its check at load and breaks later: the loaded model's inverse graph
    // swapped for one whose weights are NaN.
    const model = await JetFormerModel.load(dir, options);
    damageGraph(broken, 'flow_inverse', 'nan');
    const file = join(broken, 'flow_inverse.onnx');
    await model.sessions.flow_inverse.session.release();
    model.sessions.flow_inverse = await loadSession(file, options);
    await assert.rejects(
      runGenerate(model, generateRequest(dir, model.manifest), { stop: null }, () => {}),
      nonFinite(/flow's inverse returned non-finite pixels/),
    );
    await model.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(broken, { recursive: true, force: true });
  }
});

test('a score graph that returns NaN fails scoring with what to do', async () => {
  const dir = copyOfSmokeModel();
  try {
    damageGraph(dir, 'score', 'nan');
    const model = await loadFamilyModel(dir, options);
    const rgb = Buffer.alloc(model.manifest.image.width * model.manifest.image.height * 3, 128);
    await assert.rejects(
      model.score(rgb.toString('base64'), []),
      nonFinite(/score graph returned a non-finite likelihood/),
    );
    await model.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a manifest without its gmm block is refused by name', async () => {
  const dir = copyOfSmokeModel();
  try {
    editManifest(dir, (m) => delete m.gmm);
    await assert.rejects(loadFamilyModel(dir, options), /"gmm" block/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
