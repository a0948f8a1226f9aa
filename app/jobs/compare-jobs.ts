/**
 * Compare: one prompt through every installed model that can generate, each at its own
 * defaults (or at settings the user shares across them) and the same seed, as ordinary
 * generate jobs (so each result lands in the library with its recipe, and the queue streams
 * them as they finish). Used by `tessera compare` and by the studio's `compare:run` channel.
 */
import { samplingOf, type Sampling } from '../common/inference-contract.ts';
import type { ModelManifest } from '../common/model-manifest.ts';
import { isRunnableFamily } from '../common/model-manifest.ts';
import type { GenerateJob } from '../common/queue-contract.ts';
import { TesseraError } from '../common/errors.ts';
import { installedModels } from '../models/installed.ts';

export class CompareError extends TesseraError<'bad-request'> {}

/** The models a comparison runs: those named (by manifest id), else every one that generates. */
export async function modelsToCompare(
  home: string,
  wanted: readonly string[] | undefined,
): Promise<ModelManifest[]> {
  const generating = (await installedModels(home))
    .map((m) => m.manifest)
    .filter(
      (m): m is ModelManifest =>
        m !== null && m.capabilities.generate && isRunnableFamily(m.family),
    );
  if (wanted === undefined || wanted.length === 0) {
    if (generating.length === 0)
      throw new CompareError('bad-request', 'no installed model can generate: import one first');
    return generating;
  }
  return wanted.map((id) => {
    const found = generating.find((m) => m.id === id);
    if (found === undefined)
      throw new CompareError(
        'bad-request',
        `"${id}" is not an installed model that can generate; these can: ${generating.map((m) => m.id).join(', ')}`,
      );
    return found;
  });
}

/** The per-token settings a comparison can share across its models. */
export type SharedSampling = Pick<Sampling, 'cfgScale' | 'temperature' | 'topK' | 'topP'>;

/**
 * Shared settings as one model takes them: each value held inside that model's own bounds (a
 * top-k of 300 is 300 for one model and its largest, 320 or less, for another), so every model
 * runs and its recipe says what it was given.
 */
export function sharedFor(manifest: ModelManifest, shared: SharedSampling): SharedSampling {
  const out = { ...shared };
  for (const key of Object.keys(out) as (keyof SharedSampling)[]) {
    const [lo, hi] = manifest.sampling.bounds[key];
    out[key] = Math.min(hi, Math.max(lo, out[key]));
  }
  return out;
}

/**
 * One model's job: the shared prompt and seed, no style, and the model's own sampling defaults
 * unless the comparison shares its settings.
 */
export function compareRequest(
  manifest: ModelManifest,
  run: {
    prompt: string;
    seed: number;
    provider: GenerateJob['provider'];
    threads: number;
    shared?: SharedSampling | undefined;
  },
): GenerateJob {
  const own = samplingOf(manifest.sampling.defaults);
  return {
    kind: 'generate',
    modelId: manifest.id,
    provider: run.provider,
    threads: run.threads,
    prompt: run.prompt,
    negativePrompt: '',
    style: null,
    seed: run.seed,
    imageIndex: 0,
    bestOf: 1,
    sampling: {
      ...(run.shared === undefined ? own : { ...own, ...sharedFor(manifest, run.shared) }),
      cdk: null,
    },
    boardId: null,
  };
}
