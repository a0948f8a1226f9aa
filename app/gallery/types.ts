/** The gallery's public data shapes: what callers pass in and what they get back. */
import type { Recipe } from '../common/recipe.ts';
import type { AssetFile } from './asset-file.ts';
import type { JobStore } from './job-types.ts';
import type { Likelihood } from './likelihoods.ts';

export interface NewGeneration {
  /** The encoded PNG (already carries its metadata). */
  png: Uint8Array;
  recipe: Recipe;
  /** The sampled token record. */
  codes: number[];
  jobId: string | null;
  durationMs: number | null;
  width: number;
  height: number;
  /** When null and the recipe names a parent image that is in the library, that image becomes
   * the parent with op 'infill'. */
  parent: { assetId: number; op: 'infill' | 'branch' | 'replay'; maskSha256: string | null } | null;
  /** Besides the auto-add boards. */
  boardId?: number | null;
  /** The image's exact bits per dimension under the recipe's model, when it gives one. */
  bitsPerDim?: number | null;
}

/** The tools whose recipes an imported image can carry. */
export type ForeignTool = 'automatic1111' | 'comfyui';

/**
 * An image another tool generated (PNG, JPEG or WebP), imported with the recipe its file
 * carries: AUTOMATIC1111's `parameters` text, or ComfyUI's prompt graph and workflow.
 */
export interface NewForeignGeneration {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Default automatic1111. */
  tool?: ForeignTool;
  prompt: string;
  negativePrompt: string;
  /** In AUTOMATIC1111's words (Steps, Sampler, CFG scale, Seed, Model, …), whatever the tool. */
  settings: Record<string, string>;
  /** The AUTOMATIC1111 infotext as found, kept verbatim ('' for ComfyUI). */
  infotext: string;
  /** ComfyUI: the prompt graph (its `prompt` text) and the whole workflow, verbatim. */
  promptGraph?: string | null;
  workflow?: string | null;
}

export interface NewPhoto {
  /** origin 'imported': copied into the object store. */
  bytes?: Uint8Array;
  /** origin 'library': the file stays where it is (then sha256 must be given). */
  path?: string;
  sha256: string;
  mime: string;
  width: number;
  height: number;
  size: number;
  exif: Record<string, unknown> | null;
  origin: 'imported' | 'library';
}

export type ItemKind = 'generation' | 'photo';

export interface ItemSummary {
  id: number;
  sha256: string;
  kind: ItemKind;
  mime: string;
  width: number;
  height: number;
  createdAt: number;
  starred: boolean;
  rating: number;
  /** The prompt, else the current caption, else the file name. */
  title: string;
  modelId: string | null;
  thumbPath: string | null;
  /** The object file, or the photo's path in its library folder. */
  filePath: string | null;
}

export interface CaptionInfo {
  id: number;
  text: string;
  source: 'user' | 'model' | 'file';
  modelId: string | null;
  role: 'current' | 'suggestion';
  conflict: string | null;
  createdAt: number;
}

export interface ItemDetail extends ItemSummary {
  origin: string;
  bytes: number;
  exif: Record<string, unknown> | null;
  generation: {
    recipe: Recipe;
    codes: number[];
    jobId: string | null;
    provider: string;
    durationMs: number | null;
  } | null;
  /** For a generation imported from another tool (then `generation` is null). */
  foreign: {
    tool: ForeignTool;
    prompt: string;
    negativePrompt: string;
    settings: Record<string, string>;
    /** The settings' seed, as a number, when it is one. */
    seed: number | null;
    infotext: string;
    promptGraph: string | null;
    workflow: string | null;
  } | null;
  captions: CaptionInfo[];
  tags: string[];
  boards: { id: number; name: string }[];
  score: { logProbPerToken: number; candidates: number } | null;
  /** Exact bits per dimension under the model that last measured it: how surprising the
   * image is to that model. */
  likelihood: Likelihood | null;
  parents: { id: number; op: string; maskSha256: string | null }[];
  children: { id: number; op: string }[];
  /** Library paths of the files with these bytes. */
  files: string[];
  deletedAt: number | null;
}

export interface ItemQuery {
  /** Words searched (as prefixes, all required) in prompt, captions, tags and model. */
  text?: string;
  kind?: ItemKind;
  modelId?: string;
  family?: string;
  task?: 'generate' | 'infill';
  boardId?: number;
  tag?: string;
  starred?: boolean;
  minRating?: number;
  /** true: has any caption; false: has none. */
  captioned?: boolean;
  /** created_at range in ms: from inclusive, to exclusive. */
  from?: number;
  to?: number;
  seed?: number;
  /** Default false: trashed items are hidden; true shows only the trash. */
  trashed?: boolean;
  /** newest/oldest: the order items were added (the created_at order). adherence: best
   * self-score first, then unscored items newest first. surprise: highest bits per dimension
   * first, then items never measured, newest first. Default newest. */
  sort?: 'newest' | 'oldest' | 'adherence' | 'surprise';
  /** Default 100, at most 1000. */
  limit?: number;
  /** Opaque keyset cursor from the previous page. */
  cursor?: string | null;
  /** Also count every match on the first page. Off by default: counting a broad search reads
   * all its matches, while a page stops after `limit` of them. See also Gallery.count. */
  withTotal?: boolean;
}

export interface QueryPage {
  items: ItemSummary[];
  nextCursor: string | null;
  /** How many items match in all: on the first page (no cursor) when `withTotal` is set. */
  total?: number;
}

export interface LineageNode {
  id: number;
  /** The node's parent on the path that links it to the asked-for item; null at the top. */
  parentId: number | null;
  op: string | null;
  /** 0 for the item itself, negative for ancestors, positive for descendants. */
  depth: number;
}

export interface LibraryFileRow {
  id: number;
  sha256: string | null;
  assetId: number | null;
  size: number;
  mtimeMs: number;
}

export interface CaptionResult {
  status: 'done' | 'failed';
  error: string | null;
  attempts: number;
  captionId: number | null;
  /** The role of that caption now (null when there is none): a suggestion when a caption of
   * the owner's or the user's is the item's. */
  captionRole: 'current' | 'suggestion' | null;
}

export interface Gallery {
  readonly dir: string;
  readonly dbPath: string;
  close(): void;
  schemaVersion(): number;
  /** 'ok' when healthy, otherwise SQLite's list of problems. */
  integrityCheck(): string;
  /** Updates the query planner's statistics; cheap, worth calling after large imports. */
  optimize(): void;
  storeBytes(bytes: Uint8Array): Promise<{ sha256: string; path: string }>;
  objectPath(sha256: string): string | null;
  /** The file that serves an image: its thumbnail, its object, or a captioned photo's own file
   * while it is unchanged ('changed' when it moved or was edited). */
  assetFile(sha256: string, size?: 'thumb' | 'full'): Promise<AssetFile>;
  /** An image's bytes by sha256 (object store, else a library photo's unchanged file). */
  readImageBytes(sha256: string): Promise<Buffer | null>;
  /** Keeps an infill mask (one byte per model pixel) by its sha256, so the infill can replay. */
  storeMask(mask: Uint8Array): Promise<string>;
  readMask(sha256: string): Promise<Uint8Array | null>;
  addGeneration(g: NewGeneration): Promise<number>;
  /** Kind 'generation', origin 'imported'; an image already in the library returns its id. */
  addForeignGeneration(g: NewForeignGeneration): Promise<number>;
  /** Idempotent by sha256. */
  addPhoto(p: NewPhoto): Promise<{ assetId: number; created: boolean }>;
  findBySha(sha256: string): number | null;
  getItem(id: number): ItemDetail | null;
  query(q: ItemQuery): QueryPage;
  /** How many items match the query's filters. */
  count(q: ItemQuery): number;
  similar(id: number, limit: number): { id: number; score: number }[];
  /** Stores an image's exact bits per dimension under `modelId` (replacing an earlier value). */
  setLikelihood(assetId: number, modelId: string, bitsPerDim: number): void;
  /** Computes missing "more like this" descriptors (e.g. after an upgrade); returns how many. */
  indexMissingEmbeddings(max?: number): Promise<number>;
  lineage(id: number): LineageNode[];
  setStar(ids: number[], starred: boolean): void;
  setRating(ids: number[], rating: number): void;
  trash(ids: number[]): void;
  restore(ids: number[]): void;
  /** Deletes items trashed at least `olderThanMs` ago, then their files; returns how many. */
  purgeTrash(olderThanMs: number): Promise<number>;
  addTags(ids: number[], names: string[], source?: 'user' | 'model'): void;
  removeTags(ids: number[], names: string[]): void;
  listTags(): { name: string; count: number }[];
  createBoard(name: string, autoAdd?: boolean): number;
  renameBoard(id: number, name: string): void;
  deleteBoard(id: number): void;
  setBoardAutoAdd(id: number, autoAdd: boolean): void;
  addToBoard(boardId: number, ids: number[]): void;
  removeFromBoard(boardId: number, ids: number[]): void;
  listBoards(): { id: number; name: string; autoAdd: boolean; count: number }[];
  setUserCaption(assetId: number, text: string): number;
  acceptSuggestion(captionId: number): void;
  /** A description the file's author embedded: current unless a user caption is; returns its id. */
  addFileCaption(assetId: number, text: string): number;
  addLibraryRoot(path: string): number;
  libraryFile(rootId: number, relPath: string): LibraryFileRow | null;
  upsertLibraryFile(
    rootId: number,
    relPath: string,
    f: { sha256: string | null; assetId: number | null; size: number; mtimeMs: number },
  ): number;
  captionResult(sha256: string, modelId: string): CaptionResult | null;
  saveCaption(r: {
    sha256: string;
    assetId: number;
    fileId: number | null;
    modelId: string;
    text: string;
    role: 'current' | 'suggestion';
    conflict: string | null;
  }): number;
  saveCaptionFailure(r: {
    sha256: string;
    fileId: number | null;
    modelId: string;
    error: string;
  }): void;
  resetModelCaptions(f: { modelId?: string; rootId?: number }): number;
  captionResultCounts(modelId: string, rootId?: number): { done: number; failed: number };
  jobs: JobStore;
}
