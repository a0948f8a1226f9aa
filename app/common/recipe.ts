/**
 * The recipe of a generated image: everything needed to replay it exactly, embedded in its PNG
 * as an iTXt `tessera` JSON chunk, plus an AUTOMATIC1111-style `parameters` infotext that other
 * tools read (docs/studio.md §Metadata).
 */
import { z } from 'zod';
import {
  memoryDocumentSchema,
  samplingSchema,
  providerSchema,
  type DiffusionSampler,
} from './inference-contract.ts';

export const recipeSchema = z.object({
  tessera: z.literal(1),
  task: z.enum(['generate', 'infill']),
  modelId: z.string(),
  /** sha256 of the model's decoder graph: the model's identity, whatever folder it sits in */
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  family: z.string(),
  prompt: z.string(),
  negativePrompt: z.string(),
  style: z.string().nullable(),
  seed: z.number().int().min(0).max(0xffffffff),
  imageIndex: z.number().int().min(0),
  sampling: samplingSchema,
  prngVersion: z.string(),
  pipelineVersion: z.number().int(),
  /** sampling steps: tokens for token families, denoising steps for diffusion */
  steps: z.number().int().min(1),
  width: z.number().int(),
  height: z.number().int(),
  provider: providerSchema,
  /** sha256 of the sampled token record (the codes as JSON) */
  tokensSha256: z.string().regex(/^[0-9a-f]{64}$/),
  parent: z
    .object({
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      maskSha256: z.string().regex(/^[0-9a-f]{64}$/),
      featherPx: z.number(),
      /**
       * An infill of an image not at the model's resolution: the square (original pixels, it
       * may reach past the edges) the model worked on; the mask is then at the image's own
       * resolution (`width`×`height`), and the result is the whole original with the region
       * filled in. Absent when the model worked on the whole image at its own resolution.
       */
      region: z
        .object({
          x: z.number().int(),
          y: z.number().int(),
          side: z.number().int().positive(),
        })
        .optional(),
    })
    .nullable(),
  /**
   * The retrieval memory document the generation was given (CM3Leon-style retrieval). Absent
   * when it was given none, so images of models without a memory keep their bytes; a replay
   * without it asks for no document.
   */
  retrieval: memoryDocumentSchema.optional(),
  /** best-of-N: this image's log p(prompt | image) per token, and how many candidates it beat */
  selfScore: z.object({ logProbPerToken: z.number(), candidates: z.number().int() }).nullable(),
  /**
   * A replay: the sha256 of the image this one re-ran. Absent otherwise, so ordinary images
   * keep their bytes; present, it is the only difference from the original's PNG (identical
   * bytes would be the same library item, and a replay is kept as an item of its own).
   */
  replayOf: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type Recipe = z.infer<typeof recipeSchema>;

const fmt = (n: number) => String(Number(n.toPrecision(6)));

/** Denoising samplers by the names AUTOMATIC1111 gives them (midpoint has none there). */
export const DIFFUSION_SAMPLER_LABELS: Record<DiffusionSampler, string> = {
  ddim: 'DDIM',
  euler: 'Euler',
  heun: 'Heun',
  midpoint: 'Midpoint',
};

/** AUTOMATIC1111 infotext: the prompt, then one line of `Key: value` pairs. */
export function toInfotext(r: Recipe): string {
  const diffusion = r.sampling.diffusion;
  const pairs: [string, string][] = [
    ['Steps', String(r.steps)],
    [
      'Sampler',
      diffusion !== undefined
        ? DIFFUSION_SAMPLER_LABELS[diffusion.sampler]
        : r.sampling.cdk !== null
          ? 'CD-K'
          : r.sampling.temperature === 0
            ? 'Greedy'
            : 'Top-p',
    ],
    ['CFG scale', fmt(r.sampling.cfgScale)],
    ['Seed', String(r.seed)],
    ['Size', `${r.width}x${r.height}`],
    ['Model hash', r.modelSha256.slice(0, 10)],
    ['Model', r.modelId],
    ['Family', r.family],
  ];
  // Token sampling's knobs mean nothing to a model that denoises the whole image at each step.
  if (diffusion === undefined)
    pairs.push(
      ['Top p', fmt(r.sampling.topP)],
      ['Top k', String(r.sampling.topK)],
      ['Temperature', fmt(r.sampling.temperature)],
      [
        'CD-K',
        r.sampling.cdk === null
          ? 'off'
          : `alpha ${fmt(r.sampling.cdk.alpha)} k ${r.sampling.cdk.k} tau ${fmt(r.sampling.cdk.tau)}`,
      ],
    );
  else if (diffusion.resample !== undefined && diffusion.resample > 1)
    pairs.push(['Resample', String(diffusion.resample)]);
  pairs.push(['RNG', r.prngVersion]);
  if (r.style !== null) pairs.push(['Style', r.style]);
  const decoding = r.sampling.decoding;
  if (decoding !== undefined) {
    const fanout = decoding.fanout === undefined ? '' : ` fanout ${decoding.fanout.join('/')}`;
    const drafts = decoding.drafts === undefined ? '' : ` drafts ${decoding.drafts}`;
    pairs.push(['Decoding', `${decoding.mode} window ${decoding.window}${fanout}${drafts}`]);
  }
  if (r.imageIndex !== 0) pairs.push(['Batch index', String(r.imageIndex)]);
  if (r.retrieval !== undefined)
    pairs.push(['Reference', `${r.retrieval.caption} (${r.retrieval.set} #${r.retrieval.index})`]);
  const quote = (v: string) => (/[,:"\n]/.test(v) ? JSON.stringify(v) : v);
  const negative = r.negativePrompt === '' ? '' : `\nNegative prompt: ${r.negativePrompt}`;
  return `${r.prompt}${negative}\n${pairs.map(([k, v]) => `${k}: ${quote(v)}`).join(', ')}`;
}

/** Parses an AUTOMATIC1111-style infotext into its prompt, negative prompt and settings. */
export function parseInfotext(text: string): {
  prompt: string;
  negative: string;
  settings: Record<string, string>;
} {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const last = lines[lines.length - 1] ?? '';
  const settings: Record<string, string> = {};
  // A value is quoted text, a JSON object (AUTOMATIC1111's `Hashes: {"model": …, …}`), or
  // anything up to the next comma.
  const pairRe = /\s*([\w \-/]+):\s*("(?:\\.|[^\\"])*"|\{[^{}]*\}|[^,]*)(?:,|$)/g;
  let consumed = 0;
  for (let m = pairRe.exec(last); m !== null && m[0].length > 0; m = pairRe.exec(last)) {
    const raw = m[2]!.trim();
    settings[m[1]!.trim()] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    consumed = pairRe.lastIndex;
  }
  const hasSettings = Object.keys(settings).length >= 2 && consumed >= last.length - 1;
  const body = hasSettings ? lines.slice(0, -1) : lines;
  const negIndex = body.findIndex((l) => l.startsWith('Negative prompt:'));
  const prompt = (negIndex >= 0 ? body.slice(0, negIndex) : body).join('\n').trim();
  const negative =
    negIndex >= 0
      ? body
          .slice(negIndex)
          .join('\n')
          .replace(/^Negative prompt:\s*/, '')
          .trim()
      : '';
  return { prompt, negative, settings: hasSettings ? settings : {} };
}
