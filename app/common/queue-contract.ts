/**
 * The persistent job queue as the app sees it: what a job asks for (stored as JSON in the
 * library's `jobs` table, so it must survive restarts and upgrades) and the events a running
 * job emits (CLI progress lines now, the studio's `jobs:event` channel later).
 */
import { z } from 'zod';
import {
  bestOfSchema,
  providerSchema,
  retrievalSchema,
  samplingSchema,
  tokenStateSchema,
} from './inference-contract.ts';

const seedSchema = z.number().int().min(0).max(0xffffffff);
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A job that replays a library item: the result is linked to it with op `replay`, carries its
 * hash in the recipe, and runs only on the model whose decoder made it.
 */
export const replaySourceSchema = z.object({
  assetId: z.number().int().positive(),
  sha256: sha256Schema,
  modelSha256: sha256Schema,
  /** a best-of-N winner's self-score, which a single replayed candidate keeps */
  selfScore: z.object({ logProbPerToken: z.number(), candidates: z.number().int() }).nullable(),
});
export type ReplaySource = z.infer<typeof replaySourceSchema>;

const runSettings = {
  modelId: z.string().min(1),
  provider: providerSchema,
  threads: z.number().int().min(1).max(64),
};

export const generateJobSchema = z.object({
  kind: z.literal('generate'),
  ...runSettings,
  prompt: z.string().min(1).max(2000),
  negativePrompt: z.string().max(2000),
  style: z.string().nullable(),
  seed: seedSchema,
  /** first image index of this job; best-of candidates take the next ones */
  imageIndex: z.number().int().min(0).max(0xffffff),
  bestOf: bestOfSchema,
  sampling: samplingSchema,
  boardId: z.number().int().nullable(),
  replay: replaySourceSchema.optional(),
  /** absent = `auto` (models without a retrieval memory ignore it) */
  retrieval: retrievalSchema.optional(),
});

export const infillJobSchema = z.object({
  kind: z.literal('infill'),
  ...runSettings,
  /** Empty = no words: the model continues or fills from the picture alone. */
  prompt: z.string().max(2000),
  style: z.string().nullable(),
  seed: seedSchema,
  sampling: samplingSchema,
  /** the library item being infilled (lineage parent); or else `sourceSha256` */
  parentId: z.number().int().positive().optional(),
  /**
   * An image that is not a library item (a file opened from disk), by the sha256 of its bytes,
   * which the library keeps in its object store; the recipe records it as the parent.
   */
  sourceSha256: sha256Schema.optional(),
  /**
   * One byte per pixel, nonzero = regenerate, base64: at the model's resolution over the image
   * fitted inside it (as the studio shows it), or, with `maskWidth`/`maskHeight`, at the image's
   * own resolution. An image not at the model's resolution is infilled in a region around the
   * mask and composited into the full-resolution original.
   */
  mask: z.string().min(1),
  maskWidth: z.number().int().positive().optional(),
  maskHeight: z.number().int().positive().optional(),
  featherPx: z.number().min(0).max(16),
  boardId: z.number().int().nullable(),
  replay: replaySourceSchema.optional(),
});

export const captionFolderJobSchema = z.object({
  kind: z.literal('caption-folder'),
  ...runSettings,
  folder: z.string().min(1),
  recursive: z.boolean(),
  /** scan hidden folders too; otherwise each is reported as skipped */
  includeHidden: z.boolean().default(false),
  writeXmp: z.boolean(),
  /** caption again the files whose earlier attempt failed */
  retryFailed: z.boolean(),
});

/** A rectangle in an image's own pixels. */
export const pixelRectSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

/** What a finished job tells beyond its summary, for the studio to show. */
export const jobDetailsSchema = z.object({
  /** an infill of an image larger than the model: the part of it the model worked on */
  region: pixelRectSchema.optional(),
  /** the run made an image the library already had: that item (nothing new was added) */
  alreadyInLibrary: z.number().int().positive().optional(),
});
export type JobDetails = z.infer<typeof jobDetailsSchema>;

export const jobRequestSchema = z.discriminatedUnion('kind', [
  generateJobSchema,
  infillJobSchema,
  captionFolderJobSchema,
]);
export type QueuedJobRequest = z.infer<typeof jobRequestSchema>;
export type GenerateJob = z.infer<typeof generateJobSchema>;
export type InfillJob = z.infer<typeof infillJobSchema>;
export type CaptionFolderJob = z.infer<typeof captionFolderJobSchema>;

/** Where an interrupted image job stands: finished candidates and the one in progress. */
export const imageCheckpointSchema = z.object({
  candidates: z.array(
    z.object({
      imageIndex: z.number().int(),
      codes: z.array(z.number().int()),
      score: z.number().nullable(),
    }),
  ),
  partial: z.object({ imageIndex: z.number().int(), state: tokenStateSchema }).nullable(),
});
export type ImageCheckpoint = z.infer<typeof imageCheckpointSchema>;

export const fileStatusSchema = z.enum(['captioned', 'suggestion', 'skipped', 'failed', 'problem']);

export const queueEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), jobId: z.string(), provider: z.string() }),
  z.object({
    type: z.literal('progress'),
    jobId: z.string(),
    done: z.number().int(),
    total: z.number().int(),
    unit: z.enum(['token', 'mcu', 'step', 'file', 'image']),
    ratePerSecond: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  z.object({
    type: z.literal('preview'),
    jobId: z.string(),
    imageRgb: z.string(),
    width: z.number().int(),
    height: z.number().int(),
  }),
  /** one file of a captioning job: what happened to it */
  z.object({
    type: z.literal('file'),
    jobId: z.string(),
    path: z.string(),
    status: fileStatusSchema,
    caption: z.string().nullable(),
    message: z.string().nullable(),
    /** the library photo the file is, for its thumbnail (absent: not one) */
    sha256: z.string().nullable().optional(),
  }),
  z.object({ type: z.literal('notice'), jobId: z.string(), message: z.string() }),
  z.object({ type: z.literal('paused'), jobId: z.string() }),
  z.object({ type: z.literal('cancelled'), jobId: z.string() }),
  z.object({
    type: z.literal('completed'),
    jobId: z.string(),
    assetIds: z.array(z.number().int()),
    summary: z.string(),
    details: jobDetailsSchema.optional(),
  }),
  z.object({
    type: z.literal('failed'),
    jobId: z.string(),
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
  }),
]);
export type QueueEvent = z.infer<typeof queueEventSchema>;
