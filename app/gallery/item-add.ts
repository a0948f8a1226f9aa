/**
 * Adding items: the file goes to disk first (object store, thumbnail), the descriptor is
 * computed, and only then one transaction writes every row. No await runs inside it.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { recipeSchema } from '../common/recipe.ts';
import type { GalleryContext } from './context.ts';
import { invalid } from './errors.ts';
import { imageEmbedding } from './image-embedding.ts';
import { sniffImageFormat } from './image-format.ts';
import {
  insertForeignGenerationRows,
  insertGenerationRows,
  insertPhotoRows,
} from './item-insert.ts';
import { rootOf, upsertLibraryFileRow } from './library-files.ts';
import { assertBitsPerDim } from './likelihoods.ts';
import { sha256Hex, storeObject } from './object-store.ts';
import { makeThumbnail, needsThumbnail } from './thumbnails.ts';
import { encodeCodes } from './tokens.ts';
import type { NewForeignGeneration, NewGeneration, NewPhoto } from './types.ts';
import { assertAssetsExist, assertBoardExists, assertSha256 } from './validate.ts';

function assertSize(width: unknown, height: unknown): void {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const)
    if (!Number.isSafeInteger(v) || (v as number) <= 0)
      throw invalid(`the image ${name} must be a positive whole number, got ${String(v)}`);
}

export async function addGeneration(ctx: GalleryContext, g: NewGeneration): Promise<number> {
  const parsed = recipeSchema.safeParse(g.recipe);
  if (!parsed.success)
    throw invalid(
      `the recipe is not valid (${parsed.error.issues[0]?.message}): the image cannot be stored as a generation`,
    );
  if (!(g.png instanceof Uint8Array) || sniffImageFormat(g.png).ext !== 'png')
    throw invalid('a generation must be stored as PNG bytes: encode the image with encodePng');
  assertSize(g.width, g.height);
  const tokens = encodeCodes(g.codes);
  if (g.parent !== null) {
    if (!['infill', 'branch', 'replay'].includes(g.parent.op))
      throw invalid(
        `unknown lineage op ${JSON.stringify(g.parent.op)}: use infill, branch or replay`,
      );
    if (g.parent.maskSha256 !== null) assertSha256(g.parent.maskSha256, 'the mask sha256');
    assertAssetsExist(ctx, [g.parent.assetId]);
  }
  const boardId = g.boardId ?? null;
  if (boardId !== null) assertBoardExists(ctx, boardId);
  const bitsPerDim = g.bitsPerDim ?? null;
  if (bitsPerDim !== null) assertBitsPerDim(bitsPerDim);

  const stored = await storeObject(ctx.dir, g.png, ctx.io);
  const hasThumb = needsThumbnail(g.width, g.height, 'generation')
    ? await makeThumbnail(ctx.dir, stored.sha256, g.png, ctx.io)
    : false;
  const embedding = await imageEmbedding(g.png);
  return ctx.write(() =>
    insertGenerationRows(ctx, {
      sha256: stored.sha256,
      mime: stored.mime,
      width: g.width,
      height: g.height,
      bytes: g.png.byteLength,
      createdAt: Date.now(),
      hasThumb,
      recipe: parsed.data,
      tokens,
      jobId: g.jobId,
      durationMs: g.durationMs === null ? null : Math.round(g.durationMs),
      parent: g.parent,
      boardId,
      embedding,
      bitsPerDim,
    }),
  );
}

export async function addForeignGeneration(
  ctx: GalleryContext,
  g: NewForeignGeneration,
): Promise<number> {
  const ext = g.bytes instanceof Uint8Array ? sniffImageFormat(g.bytes).ext : null;
  if (ext !== 'png' && ext !== 'jpg' && ext !== 'webp')
    throw invalid('a generation from another tool must be a PNG, JPEG or WebP file');
  assertSize(g.width, g.height);
  const tool = g.tool ?? 'automatic1111';
  if (tool !== 'automatic1111' && tool !== 'comfyui')
    throw invalid(`unknown tool ${JSON.stringify(tool)}: use automatic1111 or comfyui`);
  for (const [name, v] of [
    ['prompt', g.prompt],
    ['negativePrompt', g.negativePrompt],
    ['infotext', g.infotext],
    ['promptGraph', g.promptGraph ?? ''],
    ['workflow', g.workflow ?? ''],
  ] as const)
    if (typeof v !== 'string') throw invalid(`the ${name} must be text`);
  const settings = Object.fromEntries(
    Object.entries(g.settings ?? {}).filter(([, v]) => typeof v === 'string'),
  );
  const stored = await storeObject(ctx.dir, g.bytes, ctx.io);
  const hasThumb = needsThumbnail(g.width, g.height, 'generation')
    ? await makeThumbnail(ctx.dir, stored.sha256, g.bytes, ctx.io)
    : false;
  const embedding = await imageEmbedding(g.bytes);
  return ctx.write(() =>
    insertForeignGenerationRows(ctx, {
      sha256: stored.sha256,
      mime: stored.mime,
      width: g.width,
      height: g.height,
      bytes: g.bytes.byteLength,
      createdAt: Date.now(),
      hasThumb,
      tool,
      prompt: g.prompt,
      negativePrompt: g.negativePrompt,
      settings,
      seed: seedOf(settings.Seed),
      infotext: g.infotext,
      promptGraph: g.promptGraph ?? null,
      workflow: g.workflow ?? null,
      embedding,
    }),
  );
}

/** A seed the settings name, as a number; null when it is absent or not a whole number. */
function seedOf(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}

function checkPhoto(p: NewPhoto): void {
  assertSha256(p.sha256);
  assertSize(p.width, p.height);
  if (!Number.isSafeInteger(p.size) || p.size < 0)
    throw invalid(`the file size must be a whole number of bytes, got ${String(p.size)}`);
  if (typeof p.mime !== 'string' || p.mime === '') throw invalid('give the photo a MIME type');
  if (p.origin === 'imported') {
    if (!(p.bytes instanceof Uint8Array))
      throw invalid('an imported photo needs its bytes: read the file and pass them');
    if (sha256Hex(p.bytes) !== p.sha256)
      throw invalid('the sha256 does not match the bytes: hash the bytes you pass');
  } else if (p.origin === 'library') {
    if (typeof p.path !== 'string' || !isAbsolute(p.path))
      throw invalid('a library photo needs the absolute path of its file');
  } else {
    throw invalid(`unknown origin ${JSON.stringify(p.origin)}: use imported or library`);
  }
}

export async function addPhoto(
  ctx: GalleryContext,
  p: NewPhoto,
): Promise<{ assetId: number; created: boolean }> {
  checkPhoto(p);
  const known = ctx.get<{ id: number }>('SELECT id FROM assets WHERE sha256 = ?', p.sha256);
  if (known !== undefined) return { assetId: known.id, created: false };

  const source: Uint8Array | string = p.origin === 'imported' ? p.bytes! : p.path!;
  let mime = p.mime;
  if (p.origin === 'imported') {
    const stored = await storeObject(ctx.dir, p.bytes!, ctx.io);
    // The bytes are the truth; the object file is named after what they really are.
    if (stored.mime !== 'application/octet-stream') mime = stored.mime;
  }
  const hasThumb = needsThumbnail(p.width, p.height, 'photo')
    ? await makeThumbnail(ctx.dir, p.sha256, source, ctx.io)
    : false;
  const embedding = await imageEmbedding(source);
  const stat = p.origin === 'library' ? statSync(p.path!, { throwIfNoEntry: false }) : undefined;
  return ctx.write(() => {
    const result = insertPhotoRows(ctx, {
      sha256: p.sha256,
      mime,
      width: p.width,
      height: p.height,
      bytes: p.size,
      origin: p.origin,
      createdAt: Date.now(),
      hasThumb,
      exif: p.exif,
      embedding,
    });
    // A library photo inside a known folder is linked to its file, so its path is known.
    const root = p.origin === 'library' && stat !== undefined ? rootOf(ctx, p.path!) : null;
    if (root !== null)
      upsertLibraryFileRow(ctx, root.rootId, root.relPath, {
        sha256: p.sha256,
        assetId: result.assetId,
        size: stat!.size,
        mtimeMs: stat!.mtimeMs,
      });
    return result;
  });
}
