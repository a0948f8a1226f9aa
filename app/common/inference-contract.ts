/**
 * The contract between the app (main process or CLI) and the inference process: job requests
 * in, job events out, validated with zod on both sides of the process boundary
 * (docs/architecture.md §The contract).
 */
import { z } from 'zod';

export const PROVIDERS = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export const providerSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof providerSchema>;

/** Draft tokens a parallel decoding run verifies per decoder call. */
export const DECODING_WINDOW = [1, 16] as const;

export const DRAFT_SOURCES = ['jacobi', 'lines-previous'] as const;

/**
 * Speculative Jacobi decoding (docs/models.md §Parallel decoding): several draft tokens checked
 * in one decoder run, accepted so that the tokens follow the plain loop's distribution. Absent
 * = the plain loop, one token per run, so recipes without it keep their bytes.
 */
export const decodingSchema = z.object({
  mode: z.literal('parallel'),
  window: z
    .number()
    .int('the decoding window must be a whole number of tokens')
    .min(
      DECODING_WINDOW[0],
      `the decoding window must be ${DECODING_WINDOW[0]} to ${DECODING_WINDOW[1]} tokens`,
    )
    .max(
      DECODING_WINDOW[1],
      `the decoding window must be ${DECODING_WINDOW[0]} to ${DECODING_WINDOW[1]} tokens`,
    ),
  /** Draft candidates per position at the first depths of the draft tree; 1 beyond (default). */
  fanout: z
    .array(z.number().int().min(1).max(4, 'at most 4 draft candidates per position'))
    .max(DECODING_WINDOW[1])
    .optional(),
  /**
   * Where drafts come from: `jacobi`, the first rejected candidate's line and the family's
   * guess; `lines-previous`, every rejected candidate's line, and where no run has reached,
   * samples from the newest token's distribution besides the guess. Absent = `jacobi`, as
   * recipes made before the choice was recorded decoded.
   */
  drafts: z.enum(DRAFT_SOURCES).optional(),
});
export type Decoding = z.infer<typeof decodingSchema>;

/**
 * A diffusion model's denoising (docs/models.md §transfusion): steps, the sampler its manifest
 * lists, and for infill how often each step is resampled (RePaint). Bounds are the manifest's.
 */
export const DIFFUSION_SAMPLER_NAMES = ['ddim', 'euler', 'heun', 'midpoint'] as const;
export type DiffusionSampler = (typeof DIFFUSION_SAMPLER_NAMES)[number];

export const diffusionSettingsSchema = z.object({
  steps: z.number().int('steps must be a whole number').min(1, 'steps must be at least 1'),
  sampler: z.enum(DIFFUSION_SAMPLER_NAMES, {
    error: `the sampler must be one of ${DIFFUSION_SAMPLER_NAMES.join(', ')} (the model's manifest says which it takes)`,
  }),
  resample: z.number().int().min(1).max(20).optional(),
});
export type DiffusionSettingsRequest = z.infer<typeof diffusionSettingsSchema>;

export const samplingSchema = z.object({
  cfgScale: z.number().min(0).max(50),
  temperature: z.number().min(0).max(5),
  topK: z.number().int().min(0),
  topP: z.number().gt(0).max(1),
  cdk: z
    .object({
      alpha: z.number().gt(0).max(1),
      k: z.number().int().min(1),
      tau: z.number().min(0).max(10),
    })
    .nullable(),
  decoding: decodingSchema.optional(),
  /** Denoising settings of diffusion families; absent = the manifest's defaults. */
  diffusion: diffusionSettingsSchema.optional(),
});
export type Sampling = z.infer<typeof samplingSchema>;

/** How many candidates a generation draws and ranks by the model's own p(prompt | image). */
export const bestOfSchema = z.number().int().min(1).max(16);

/**
 * The per-token settings among a model's sampling defaults, leaving out what belongs to the
 * generation rather than to each token (`bestOf`) and CD-K, which the caller turns on or off.
 */
export function samplingOf(d: Omit<Sampling, 'cdk'>): Omit<Sampling, 'cdk'> {
  return { cfgScale: d.cfgScale, temperature: d.temperature, topK: d.topK, topP: d.topP };
}

const seedSchema = z.number().int().min(0).max(0xffffffff);
const promptSchema = z
  .string()
  .max(2000, 'the prompt is over 2,000 characters: shorten it')
  .refine((p) => p.trim().length > 0, 'the prompt is empty: describe the image');

/** Token state of a paused or interrupted generation: enough to resume it exactly. */
export const tokenStateSchema = z.object({
  codes: z.array(z.number().int().nonnegative()),
});

const modelRef = {
  modelDir: z.string().min(1),
  provider: providerSchema,
  threads: z.number().int().min(1).max(64),
};

/**
 * Retrieval for models with a memory: `auto` prepends the document most relevant to the prompt
 * (the default), `off` none, `{document}` that one (a replay of a recorded result).
 */
export const retrievalSchema = z.union([
  z.enum(['auto', 'off']),
  z.object({ document: z.number().int().nonnegative() }),
]);
export type Retrieval = z.infer<typeof retrievalSchema>;

/** The memory document a generation was given. */
export const memoryDocumentSchema = z.object({
  index: z.number().int().nonnegative(),
  caption: z.string(),
  set: z.string(),
});

export const generateRequestSchema = z.object({
  task: z.literal('generate'),
  ...modelRef,
  prompt: promptSchema,
  /** What the image should not look like; empty = the model's unconditional row. */
  negativePrompt: z.string().max(2000),
  style: z.string().nullable(),
  seed: seedSchema,
  imageIndex: z.number().int().min(0).max(0xffffff),
  sampling: samplingSchema,
  resumeFrom: tokenStateSchema.nullable(),
  /** absent = `auto`; ignored by models without a retrieval memory unless a document is named */
  retrieval: retrievalSchema.optional(),
});

export const infillRequestSchema = z.object({
  task: z.literal('infill'),
  ...modelRef,
  /** Empty = no words: the model continues or fills from the picture alone. */
  prompt: z.string().max(2000, 'the prompt is over 2,000 characters: shorten it'),
  style: z.string().nullable(),
  seed: seedSchema,
  imageIndex: z.number().int().min(0).max(0xffffff),
  sampling: samplingSchema,
  /** RGB uint8 at the model's resolution, base64 */
  imageRgb: z.string(),
  /** one byte per pixel, nonzero = regenerate, base64 */
  mask: z.string(),
  featherPx: z.number().min(0).max(16),
});

export const captionRequestSchema = z.object({
  task: z.literal('caption'),
  ...modelRef,
  imageRgb: z.string(),
  /** null: greedy; otherwise sampled with this temperature and top-p from `seed` */
  sampling: z
    .object({
      temperature: z.number().gt(0).max(5),
      topP: z.number().gt(0).max(1),
      seed: seedSchema,
    })
    .nullable(),
});

export const scoreRequestSchema = z.object({
  task: z.literal('score'),
  ...modelRef,
  imageRgb: z.string(),
  /** Empty: the image's exact bits per dimension alone (models whose likelihood is exact). */
  texts: z.array(z.string().min(1)).max(1000),
});

export const jobRequestSchema = z.discriminatedUnion('task', [
  generateRequestSchema,
  infillRequestSchema,
  captionRequestSchema,
  scoreRequestSchema,
]);
export type JobRequest = z.infer<typeof jobRequestSchema>;
export type GenerateRequest = z.infer<typeof generateRequestSchema>;
export type InfillRequest = z.infer<typeof infillRequestSchema>;
export type CaptionRequest = z.infer<typeof captionRequestSchema>;

export const jobResultSchema = z.discriminatedUnion('task', [
  z.object({
    task: z.literal('generate'),
    codes: z.array(z.number().int()),
    imageRgb: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    /** the retrieved document it was given; absent for families without retrieval */
    document: memoryDocumentSchema.nullable().optional(),
  }),
  z.object({
    task: z.literal('infill'),
    codes: z.array(z.number().int()),
    imageRgb: z.string(),
    width: z.number().int(),
    height: z.number().int(),
  }),
  z.object({ task: z.literal('caption'), caption: z.string() }),
  z.object({
    task: z.literal('score'),
    logProbs: z.array(z.number()),
    tokens: z.array(z.number().int()),
    /** The image's exact bits per dimension, from models whose likelihood is exact. */
    bitsPerDim: z.number().optional(),
  }),
]);
export type JobResult = z.infer<typeof jobResultSchema>;

export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    modelId: z.string(),
    provider: providerSchema,
    notice: z.string().nullable(),
  }),
  z.object({
    type: z.literal('progress'),
    done: z.number().int(),
    total: z.number().int(),
    unit: z.enum(['token', 'mcu', 'step', 'file']),
    ratePerSecond: z.number(),
  }),
  /** RGB uint8 at the model's resolution (base64); unknown rows are grey. */
  z.object({ type: z.literal('preview'), imageRgb: z.string(), done: z.number().int() }),
  z.object({ type: z.literal('checkpoint'), state: tokenStateSchema }),
  z.object({
    type: z.literal('completed'),
    result: jobResultSchema,
    provider: providerSchema,
    seconds: z.number(),
  }),
  z.object({ type: z.literal('paused'), state: tokenStateSchema }),
  z.object({ type: z.literal('cancelled') }),
  z.object({
    type: z.literal('failed'),
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
  }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

/** Messages to the inference process. */
export const hostInboundSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), jobId: z.string().min(1), request: jobRequestSchema }),
  z.object({ type: z.literal('cancel'), jobId: z.string().min(1) }),
  z.object({ type: z.literal('pause'), jobId: z.string().min(1) }),
]);
export type HostInbound = z.infer<typeof hostInboundSchema>;

/** An execution provider the inference process's onnxruntime build lists. */
export const providerInfoSchema = z.object({ name: providerSchema, bundled: z.boolean() });
export type ProviderInfo = z.infer<typeof providerInfoSchema>;

/** Messages from the inference process. */
export const hostOutboundSchema = z.union([
  z.object({ type: z.literal('ready') }),
  /** sent once after `ready`: what this process's onnxruntime can run on */
  z.object({ type: z.literal('providers'), providers: z.array(providerInfoSchema) }),
  z.object({ type: z.literal('event'), jobId: z.string(), event: jobEventSchema }),
]);
export type HostOutbound = z.infer<typeof hostOutboundSchema>;
