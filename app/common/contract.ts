/**
 * The one contract between the studio's UI and the app (docs/architecture.md §The contract): every
 * channel maps to a zod request and response schema, every event to a schema. The Electron preload,
 * the web mode's HTTP bridge and the handlers all derive their types from here, and every request
 * is parsed at the boundary. Responses travel in a Result envelope; nothing throws across it.
 */
import { z } from 'zod';
import {
  bestOfSchema,
  providerInfoSchema,
  providerSchema,
  diffusionSettingsSchema,
  samplingSchema,
} from './inference-contract.ts';
import {
  captionFolderJobSchema,
  fileStatusSchema,
  generateJobSchema,
  infillJobSchema,
  jobDetailsSchema,
  queueEventSchema,
} from './queue-contract.ts';
import { recipeSchema } from './recipe.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };
export const contractErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** Trying the same call again may work (a busy library, a full disk freed). */
  retryable: z.boolean().optional(),
});
export type ContractError = z.infer<typeof contractErrorSchema>;

const id = z.number().int().positive();
const ids = z.array(id).min(1).max(10_000);
const jobId = z.string().min(1).max(100);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const empty = z.object({});

/** The largest image file Infill opens from disk (its base64 is a third larger on the wire). */
export const MAX_OPEN_FILE_BYTES = 40 * 1024 * 1024;

export const itemSummarySchema = z.object({
  id,
  sha256: z.string(),
  kind: z.enum(['generation', 'photo']),
  mime: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  createdAt: z.number(),
  starred: z.boolean(),
  rating: z.number().int(),
  title: z.string(),
  modelId: z.string().nullable(),
  /** hash of the thumbnail or file to load as tessera-asset://<hash> (never a path) */
  thumbSha256: z.string().nullable(),
});
export type ItemSummaryView = z.infer<typeof itemSummarySchema>;

export const itemQuerySchema = z.object({
  text: z.string().max(500).optional(),
  kind: z.enum(['generation', 'photo']).optional(),
  modelId: z.string().optional(),
  family: z.string().optional(),
  task: z.enum(['generate', 'infill']).optional(),
  boardId: id.optional(),
  tag: z.string().optional(),
  starred: z.boolean().optional(),
  minRating: z.number().int().min(0).max(5).optional(),
  captioned: z.boolean().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  seed: z.number().int().optional(),
  trashed: z.boolean().optional(),
  /** surprise: the highest exact bits per dimension first, items never measured last */
  sort: z.enum(['newest', 'oldest', 'adherence', 'surprise']).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(1000).nullable().optional(),
});

export const jobViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['generate', 'infill', 'caption-folder']),
  status: z.enum([
    'queued',
    'running',
    'paused',
    'completed',
    'failed',
    'cancelled',
    'interrupted',
  ]),
  title: z.string(),
  /** the model that runs the job (its progress unit follows the model's family) */
  modelId: z.string(),
  /** the batch it was submitted in (a Count above 1, a compare): the queue shows one row per batch */
  batchId: z.string().optional(),
  done: z.number().int(),
  total: z.number().int(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable(),
  assetIds: z.array(z.number().int()),
  /** how a finished job ended, in words (a replay says whether it matched its original) */
  summary: z.string().nullable(),
  /** a finished job's working region, or the library item it found it had already made */
  details: jobDetailsSchema.optional(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

export const modelViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  usable: z.boolean(),
  problem: z.string().nullable(),
  source: z.enum(['embedded', 'home']),
  /** `cell`: the side of the model's own grid cell in pixels (an MCU, a code cell), which
   *  masks snap to and "continue from the top" counts rows of. */
  image: z.object({
    width: z.number().int(),
    height: z.number().int(),
    cell: z.number().int().positive(),
  }),
  styles: z.array(z.string()),
  capabilities: z.record(z.string(), z.unknown()),
  sampling: z.object({
    defaults: samplingSchema.omit({ cdk: true }).extend({ bestOf: bestOfSchema }),
    bounds: z.record(z.string(), z.tuple([z.number(), z.number()])),
    /** a diffusion model's denoising choices (its manifest's `diffusion` block); absent for others */
    diffusion: z
      .object({
        samplers: z.array(diffusionSettingsSchema.shape.sampler),
        defaults: diffusionSettingsSchema.pick({ steps: true, sampler: true }),
        bounds: z.object({ steps: z.tuple([z.number().int(), z.number().int()]) }),
      })
      .optional(),
  }),
  diskBytes: z.number().int(),
  recommendedRamBytes: z.number().int(),
  trainedOnEmojiOnly: z.boolean(),
  metrics: z.record(z.string(), z.unknown()),
  /** the execution provider chosen for this model's new jobs (the CPU unless chosen) */
  provider: providerSchema,
  /** the decoder's sha256: the model's identity, whatever its name or folder */
  decoderSha256: z.string().nullable(),
});
export type ModelView = z.infer<typeof modelViewSchema>;

/** Generation as the UI asks for it: the model, prompt and settings; the app fills the rest. */
export const generateSubmitSchema = generateJobSchema
  .omit({ kind: true, imageIndex: true, threads: true, replay: true })
  .extend({
    count: z.number().int().min(1).max(64),
    threads: z.number().int().min(1).max(64).optional(),
    provider: providerSchema,
  });

/**
 * Compare: one prompt through several models (every installed one that can generate when
 * `modelIds` is absent), the same seed, each at its own defaults. Each model's run is an
 * ordinary generate job of one batch: its progress, previews and result arrive on
 * `jobs:event` as they happen, and each result is a library item with its recipe.
 */
export const compareRunSchema = z.object({
  prompt: generateJobSchema.shape.prompt,
  seed: generateJobSchema.shape.seed.optional(),
  modelIds: z.array(z.string().min(1)).min(1).max(32).optional(),
  provider: providerSchema,
  /** settings every model shares (each held inside its own bounds); absent = each its defaults */
  sampling: samplingSchema
    .pick({ cfgScale: true, temperature: true, topK: true, topP: true })
    .optional(),
});
export const compareStartedSchema = z.object({
  seed: z.number().int(),
  runs: z.array(z.object({ modelId: z.string(), family: z.string(), jobId })),
});
/** What a Compare cell shows of a finished run beside its image. */
export const compareMeasureSchema = z.object({
  /** how long the model took to make the image */
  seconds: z.number().nullable(),
  /** the model's own log p(prompt | image) per token; null where it has no likelihood */
  logProbPerToken: z.number().nullable(),
});

export const captionFolderSubmitSchema = captionFolderJobSchema
  .omit({ kind: true, threads: true })
  .extend({ threads: z.number().int().min(1).max(64).optional() });

/** How surprising an image is to a model with exact likelihood: lower = more typical. */
export const likelihoodSchema = z.object({
  bitsPerDim: z.number(),
  modelId: z.string(),
  measuredAt: z.number(),
});

export const itemDetailSchema = itemSummarySchema.extend({
  origin: z.string(),
  bytes: z.number().int(),
  exif: z.record(z.string(), z.unknown()).nullable(),
  recipe: recipeSchema.nullable(),
  /** a generation imported from another tool: its prompt and settings as found */
  foreign: z
    .object({
      tool: z.enum(['automatic1111', 'comfyui']),
      prompt: z.string(),
      negativePrompt: z.string(),
      settings: z.record(z.string(), z.string()),
      /** the settings' seed as a number, when it is one */
      seed: z.number().nullable(),
      /** AUTOMATIC1111's infotext as the file carried it ('' from ComfyUI) */
      infotext: z.string(),
      /** ComfyUI's prompt graph and editor workflow (JSON text) as the file carried them */
      promptGraph: z.string().nullable(),
      workflow: z.string().nullable(),
    })
    .nullable(),
  captions: z.array(
    z.object({
      id,
      text: z.string(),
      source: z.enum(['user', 'model', 'file']),
      modelId: z.string().nullable(),
      role: z.enum(['current', 'suggestion']),
      conflict: z.string().nullable(),
      createdAt: z.number(),
    }),
  ),
  tags: z.array(z.string()),
  boards: z.array(z.object({ id, name: z.string() })),
  score: z.object({ logProbPerToken: z.number(), candidates: z.number().int() }).nullable(),
  /** the image's exact bits per dimension under the model that last measured it */
  likelihood: likelihoodSchema.nullable(),
  parents: z.array(z.object({ id, op: z.string(), maskSha256: z.string().nullable() })),
  children: z.array(z.object({ id, op: z.string() })),
  files: z.array(z.string()),
  deletedAt: z.number().nullable(),
});
export type ItemDetailView = z.infer<typeof itemDetailSchema>;

/** An infill of a library item (`parentId`) or of a file opened for it (`sourceSha256`). */
export const infillSubmitSchema = infillJobSchema
  .omit({ kind: true, threads: true, replay: true })
  .extend({ threads: z.number().int().min(1).max(64).optional() });

/** What a captioning job did to one file, as read back from the library. */
export const jobFileSchema = z.object({
  seq: z.number().int(),
  path: z.string(),
  status: fileStatusSchema,
  caption: z.string().nullable(),
  message: z.string().nullable(),
  /** the library photo the file is, for its thumbnail; null when it is not one */
  sha256: z.string().nullable(),
});
export type JobFileView = z.infer<typeof jobFileSchema>;

/** An image file opened for infill without importing it: a path (desktop) or its bytes (web). */
export const openFileRequestSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.object({
    from: z.literal('upload'),
    name: z.string().min(1).max(500),
    dataBase64: z
      .string()
      .min(1)
      .max(Math.ceil(MAX_OPEN_FILE_BYTES / 3) * 4),
  }),
]);

/** The opened file, kept by the library by hash (not as an item) and shown as an asset. */
export const openedFileSchema = z.object({
  sha256,
  name: z.string(),
  mime: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
});
export type OpenedFileView = z.infer<typeof openedFileSchema>;

/** What importing one file did. */
const importOutcomeSchema = z.object({
  path: z.string(),
  status: z.enum(['imported', 'exists', 'failed']),
  assetId: z.number().int().nullable(),
  message: z.string().nullable(),
});

const boardViewSchema = z.object({
  id,
  name: z.string(),
  autoAdd: z.boolean(),
  count: z.number().int(),
});

export const importedModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  dir: z.string(),
  /** the model may not fit this machine's memory: what to expect and do */
  warning: z.string().nullable(),
});

export const pullRequestSchema = z.object({
  /** OWNER/NAME on the hub */
  repo: z
    .string()
    .trim()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'give the repository as OWNER/NAME, e.g. deepseek-ai/Janus-Pro-1B')
    .max(200),
  revision: z.string().trim().min(1).max(200).optional(),
  /** which weights: fp32, fp16, q4, q4f16… (the repository says which it has) */
  dtype: z
    .string()
    .regex(/^[a-z0-9]{1,16}$/)
    .optional(),
});

export const pullEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    pullId: z.string(),
    phase: z.enum(['resolving', 'downloading', 'importing']),
    file: z.string().nullable(),
    doneBytes: z.number(),
    totalBytes: z.number(),
    bytesPerSecond: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  z.object({ type: z.literal('done'), pullId: z.string(), model: importedModelSchema }),
  z.object({ type: z.literal('failed'), pullId: z.string(), error: contractErrorSchema }),
]);
export type PullEvent = z.infer<typeof pullEventSchema>;

function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response };
}

export const CHANNELS = {
  'models:list': channel(empty, z.array(modelViewSchema)),
  /** what the inference process's onnxruntime lists; `bundled: false` loads system libraries */
  'models:providers': channel(empty, z.object({ providers: z.array(providerInfoSchema) })),
  /** stores the provider for a model's new jobs; the notice says when they will use the CPU */
  'models:setProvider': channel(
    z.object({ modelId: z.string().min(1), provider: providerSchema }),
    z.object({ provider: providerSchema, notice: z.string().nullable() }),
  ),
  /** what a model reads of a prompt: each word, whether it knows it, whether it fits the budget */
  'models:promptCheck': channel(
    z.object({
      modelId: z.string().min(1),
      prompt: z.string().max(2000, 'the prompt is over 2,000 characters: shorten it'),
      style: z.string().nullable(),
    }),
    z.object({
      words: z.array(z.object({ text: z.string(), known: z.boolean(), kept: z.boolean() })),
      budget: z.number().int().nonnegative(),
      used: z.number().int().nonnegative(),
    }),
  ),
  /** validates a model folder and copies it into the data folder's models/ */
  'models:import': channel(z.object({ path: z.string().min(1).max(4096) }), importedModelSchema),
  /** starts fetching a hub repository (HF_ENDPOINT's hub); `models:pull` events tell how it goes */
  'models:pull': channel(pullRequestSchema, z.object({ pullId: z.string() })),
  /** stops a pull; what it fetched is kept, and pulling the repository again resumes it */
  'models:cancelPull': channel(
    z.object({ pullId: z.string().min(1).max(100) }),
    z.object({ cancelled: z.boolean() }),
  ),
  'jobs:submitGenerate': channel(generateSubmitSchema, z.object({ jobIds: z.array(jobId) })),
  'compare:run': channel(compareRunSchema, compareStartedSchema),
  /** a finished run's time and the model's own score of its prompt, for the Compare view */
  'compare:measure': channel(z.object({ id }), compareMeasureSchema),
  'jobs:submitCaptionFolder': channel(captionFolderSubmitSchema, z.object({ jobId })),
  'jobs:submitInfill': channel(infillSubmitSchema, z.object({ jobId })),
  'jobs:list': channel(empty, z.array(jobViewSchema)),
  'jobs:cancel': channel(z.object({ jobId }), jobViewSchema),
  'jobs:pause': channel(z.object({ jobId }), jobViewSchema),
  'jobs:resume': channel(z.object({ jobId }), jobViewSchema),
  'jobs:retry': channel(z.object({ jobId }), jobViewSchema),
  'jobs:move': channel(z.object({ jobId, where: z.enum(['front', 'back']) }), jobViewSchema),
  'jobs:prune': channel(empty, z.object({ removed: z.number().int() })),
  /** a captioning job's per-file results from the library, a page at a time in report order */
  'jobs:files': channel(
    z.object({
      jobId,
      status: fileStatusSchema.optional(),
      /** the `next` of the previous page */
      after: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    z.object({
      files: z.array(jobFileSchema),
      next: z.number().int().nullable(),
      counts: z.record(fileStatusSchema, z.number().int()),
    }),
  ),
  'gallery:query': channel(
    itemQuerySchema,
    z.object({ items: z.array(itemSummarySchema), nextCursor: z.string().nullable() }),
  ),
  'gallery:update': channel(
    z.object({
      ids,
      starred: z.boolean().optional(),
      rating: z.number().int().min(0).max(5).optional(),
      addTags: z.array(z.string().min(1).max(100)).max(50).optional(),
      removeTags: z.array(z.string().min(1).max(100)).max(50).optional(),
    }),
    empty,
  ),
  'gallery:get': channel(z.object({ id }), itemDetailSchema),
  'gallery:similar': channel(
    z.object({ id, limit: z.number().int().min(1).max(200).optional() }),
    z.array(z.object({ id, score: z.number() })),
  ),
  /** measures items' exact bits per dimension with a model whose likelihood is exact, and stores
   * each as soon as it is measured; an item that cannot be measured is listed with why */
  'gallery:likelihood': channel(
    z.object({ ids: ids.max(1000), modelId: z.string().min(1) }),
    z.object({
      measured: z.array(z.object({ id, bitsPerDim: z.number() })),
      failed: z.array(z.object({ id, message: z.string() })),
    }),
  ),
  'gallery:lineage': channel(
    z.object({ id }),
    z.array(
      z.object({
        id,
        parentId: z.number().int().nullable(),
        op: z.string().nullable(),
        depth: z.number().int(),
      }),
    ),
  ),
  'gallery:import': channel(
    z.object({ paths: z.array(z.string().min(1)).min(1).max(10_000), recursive: z.boolean() }),
    z.array(importOutcomeSchema),
  ),
  /** one file's bytes handed over by the studio (files dropped onto the Library), imported */
  'gallery:importUpload': channel(
    z.object({
      name: z.string().min(1).max(500),
      dataBase64: z
        .string()
        .min(1)
        .max(Math.ceil(MAX_OPEN_FILE_BYTES / 3) * 4),
    }),
    importOutcomeSchema,
  ),
  'gallery:export': channel(
    z.object({ ids, to: z.string().min(1) }),
    z.object({ to: z.string(), files: z.array(z.string()) }),
  ),
  /** queues a job that makes the item again from its recipe; the result is linked as `replay` */
  'gallery:replay': channel(z.object({ id }), z.object({ jobId })),
  'gallery:delete': channel(z.object({ ids }), empty),
  'gallery:restore': channel(z.object({ ids }), empty),
  'captions:set': channel(
    z.object({ id, text: z.string().min(1).max(5000) }),
    z.object({ captionId: id }),
  ),
  'captions:accept': channel(z.object({ captionId: id }), empty),
  'infill:openFile': channel(openFileRequestSchema, openedFileSchema),
  'boards:list': channel(empty, z.array(boardViewSchema)),
  'boards:create': channel(
    z.object({ name: z.string().trim().min(1).max(100), autoAdd: z.boolean().optional() }),
    z.object({ id }),
  ),
  'boards:add': channel(z.object({ boardId: id, ids }), empty),
  'boards:remove': channel(z.object({ boardId: id, ids }), empty),
  // Native dialogs: the desktop app only (web mode answers 'unsupported'; paths are typed there).
  'dialog:openFiles': channel(
    z.object({
      title: z.string().max(200).optional(),
      buttonLabel: z.string().max(50).optional(),
      /** default true; false picks a single file */
      multiple: z.boolean().optional(),
    }),
    z.object({ paths: z.array(z.string()) }),
  ),
  'dialog:openFolder': channel(
    z.object({
      title: z.string().max(200).optional(),
      buttonLabel: z.string().max(50).optional(),
    }),
    z.object({ path: z.string().nullable() }),
  ),
  'dialog:saveZip': channel(
    z.object({ defaultName: z.string().max(200).optional() }),
    z.object({ path: z.string().nullable() }),
  ),
} as const;

export type Channel = keyof typeof CHANNELS;
export type RequestOf<C extends Channel> = z.input<(typeof CHANNELS)[C]['request']>;
export type ResponseOf<C extends Channel> = z.infer<(typeof CHANNELS)[C]['response']>;

export const EVENTS = {
  'jobs:event': queueEventSchema,
  /** a pull's progress and end */
  'models:pull': pullEventSchema,
  'gallery:changed': z.object({ assetIds: z.array(z.number().int()) }),
  /** a menu command the UI carries out (File › Export… exports the selection) */
  'menu:command': z.object({ command: z.enum(['export']) }),
} as const;
export type EventName = keyof typeof EVENTS;
export type EventOf<E extends EventName> = z.infer<(typeof EVENTS)[E]>;
