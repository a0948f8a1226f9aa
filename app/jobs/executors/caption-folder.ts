/**
 * Captions a folder of photos. Every file gets exactly one result per model in the library
 * (a caption, or the reason it failed), committed as soon as it is known, so a crash, kill -9
 * or power cut loses at most the files in flight and a rerun skips everything already done.
 * A caption the user wrote (XMP sidecar, embedded XMP/EXIF/IPTC/PNG text, or typed into
 * Tessera) is never overwritten: it is stored as the item's caption, exactly as `library import`
 * stores it, and the model's caption is kept as a suggestion beside it, the conflict recorded.
 *
 * Reading and decoding the next files overlaps with inference on the current one, and two
 * caption requests are kept in flight so the model never waits on this process. A model whose
 * likelihood is exact also stores how surprising each photo it captions is to it.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { captionFolderJobSchema, type CaptionFolderJob } from '../../common/queue-contract.ts';
import type { JobFileStatus } from '../../gallery/index.ts';
import type { TerminalEvent } from '../../inference/client.ts';
import {
  ImageReadError,
  MAX_INPUT_PIXELS,
  readImageSize,
  toModelRgb,
} from '../../media/load-image.ts';
import { readPhotoMetadata } from '../../media/photo-metadata.ts';
import { sidecarPathFor, writeSidecarCaption } from '../../media/xmp.ts';
import {
  keepOwnerCaption,
  readOwnerCaption,
  type OwnerCaption,
} from '../../library/owner-caption.ts';
import type { ExecutionContext, Executor } from '../execution.ts';
import { scanFolder } from '../folder-scan.ts';
import { prefetchInOrder } from '../prefetch.ts';
import { exactBitsPerDim, hasExactLikelihood } from '../image-likelihood.ts';
import { readRegularFile } from '../read-regular-file.ts';
import { removeSidecarLeftovers } from '../sidecar-leftovers.ts';

/** How far reading and decoding run ahead, and how many caption requests wait in inference.
 * The gallery bench compares settings side by side; these are what it found best. */
export const CAPTION_PIPELINE = { prefetchDepth: 4, inFlight: 2 };

interface FoundFile {
  path: string;
  relPath: string;
  size: number;
  mtimeMs: number;
  mime: string;
}

type Prepared =
  | { kind: 'skip'; file: FoundFile; why: string }
  /** captioned before, but the XMP sidecar asked for is not on disk (never written, or deleted) */
  | { kind: 'sidecar'; file: FoundFile; text: string }
  /** captioned before, but the owner's caption was not stored as the item's (older libraries) */
  | { kind: 'owner'; file: FoundFile; assetId: number; owner: OwnerCaption }
  /** the same picture (by content) was captioned before, under another name */
  | { kind: 'reuse'; file: FoundFile; sha256: string; captionId: number | null }
  | { kind: 'failed'; file: FoundFile; sha256: string | null; error: string }
  | {
      kind: 'ready';
      file: FoundFile;
      sha256: string;
      rgb: Uint8Array;
      width: number;
      height: number;
      exif: Record<string, unknown> | null;
      userCaption: OwnerCaption | null;
    };

/** Whether anything is at `path`; a dangling symlink counts as absent. */
async function isPresent(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Why a photo could not be decoded, in words that say what to do (the path is on its line). */
function decodeProblem(err: unknown): string {
  const problem = err instanceof ImageReadError ? err.problem : 'damaged';
  const detail = err instanceof ImageReadError ? err.detail : messageOf(err).split('\n')[0]!;
  if (problem === 'too-many-pixels')
    return `is larger than ${MAX_INPUT_PIXELS / 1e6} megapixels (a decompression bomb, or a scan too large to caption): downscale it first`;
  if (problem === 'unsupported-format')
    return 'is in an image format this build cannot decode (such as BMP): convert it to PNG or JPEG';
  return `is damaged or not a readable image (${detail}): re-save it as PNG or JPEG, or leave it out`;
}

export const executeCaptionFolder: Executor = async (ctx) => {
  const req = captionFolderJobSchema.parse(ctx.job.request);
  return runCaptionFolder(ctx, req);
};

async function runCaptionFolder(ctx: ExecutionContext, req: CaptionFolderJob) {
  const { gallery, model } = ctx;
  const modelId = model.manifest.id;
  const size = model.manifest.image.width;
  const root = resolve(req.folder);
  const dataset = String(model.manifest.data.dataset ?? '');
  if (dataset.startsWith('emoji'))
    ctx.emit({
      type: 'notice',
      message: `${modelId} was trained on emoji only: it describes emoji-like pictures and is not expected to describe photos well. Its captions are stored, searchable and replaceable by a better model's.`,
    });

  // Each file's result goes to the library as well as to listeners, so the job's list can be
  // read back after the window that watched it has closed.
  const report = (f: {
    path: string;
    status: JobFileStatus;
    caption: string | null;
    message: string | null;
  }) => {
    const sha256 = gallery.jobs.recordFile(ctx.job.id, f);
    ctx.emit({ type: 'file', ...f, sha256 });
  };

  // 1. Find the images. Everything that is not one is reported once and left alone.
  const files: FoundFile[] = [];
  let problems = 0;
  let hiddenFolders = 0;
  const scan = scanFolder(root, { recursive: req.recursive, includeHidden: req.includeHidden });
  for await (const entry of scan) {
    if (entry.type === 'file') files.push(entry);
    else if (entry.reason === 'hidden-folder') {
      hiddenFolders++;
      report({
        path: entry.path,
        status: 'skipped',
        caption: null,
        message:
          'skipped: hidden folder (to caption its photos, include hidden folders: --include-hidden)',
      });
    } else {
      problems++;
      report({ path: entry.path, status: 'problem', caption: null, message: entry.message });
    }
  }
  // A run killed while writing a sidecar left its complete temporary file beside the photo.
  const leftovers = await removeSidecarLeftovers(files.map((f) => f.path));
  if (leftovers > 0)
    ctx.emit({
      type: 'notice',
      message: `removed ${leftovers} unfinished sidecar file${leftovers === 1 ? '' : 's'} (.*.xmp.*.tmp) left by an interrupted run`,
    });
  const rootId = gallery.addLibraryRoot(root);
  const counts = { captioned: 0, suggestions: 0, skipped: 0, failed: 0 };
  // The counter counts what the per-file list counts: the entries the scan already reported
  // (not images, hidden folders) are done, and every image is one more.
  const reported = problems + hiddenFolders;
  let done = reported;
  const total = files.length;
  const phaseStart = Date.now();
  let modelSeconds = 0;
  ctx.progress(done, reported + total, 'file', 0);
  const advance = () => {
    done++;
    const seconds = (Date.now() - phaseStart) / 1000;
    ctx.progress(done, reported + total, 'file', (done - reported) / Math.max(seconds, 1e-3));
  };

  /**
   * The text a sidecar should carry for a file captioned before: the model's caption, and only
   * while it is the item's caption (an owner's caption keeps the model's words out of files).
   */
  const sidecarText = (assetId: number | null, captionId: number | null): string | null => {
    if (assetId === null || captionId === null) return null;
    const caption = gallery.getItem(assetId)?.captions.find((c) => c.id === captionId);
    return caption?.role === 'current' && caption.source === 'model' ? caption.text : null;
  };

  /** The owner's caption of a file captioned before, if the item has none of its own yet. */
  const unstoredOwnerCaption = async (assetId: number, path: string) => {
    const captions = gallery.getItem(assetId)?.captions ?? [];
    if (captions.some((c) => c.source !== 'model')) return null;
    try {
      return await readOwnerCaption(path, await readPhotoMetadata(path));
    } catch {
      return null; // unreadable now: it is skipped as before, and tried again next run
    }
  };

  // 2. Read, hash and decode ahead; skip what this model already did (by content hash). The
  // library says what was captioned; the file system says whether its sidecar is still there.
  const prepare = async (file: FoundFile): Promise<Prepared> => {
    const known = gallery.libraryFile(rootId, file.relPath);
    if (known?.sha256 && known.size === file.size && known.mtimeMs === file.mtimeMs) {
      const earlier = gallery.captionResult(known.sha256, modelId);
      if (earlier?.status === 'done') {
        // Libraries captioned before owner captions were stored kept them only in a conflict
        // note: a model caption left a suggestion with no owner caption beside it gets it now.
        if (earlier.captionRole === 'suggestion' && known.assetId !== null) {
          const owner = await unstoredOwnerCaption(known.assetId, file.path);
          if (owner !== null) return { kind: 'owner', file, assetId: known.assetId, owner };
        }
        if (req.writeXmp && !(await isPresent(sidecarPathFor(file.path)))) {
          const text = sidecarText(known.assetId, earlier.captionId);
          if (text !== null) return { kind: 'sidecar', file, text };
        }
        return { kind: 'skip', file, why: 'already captioned' };
      }
      if (earlier?.status === 'failed' && !req.retryFailed)
        return { kind: 'skip', file, why: `failed before: ${earlier.error ?? ''}` };
    }
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(file.path);
    } catch (err) {
      return { kind: 'failed', file, sha256: null, error: messageOf(err) };
    }
    const hash = sha256(bytes);
    const earlier = gallery.captionResult(hash, modelId);
    if (earlier?.status === 'done')
      return { kind: 'reuse', file, sha256: hash, captionId: earlier.captionId };
    if (earlier?.status === 'failed' && !req.retryFailed)
      return { kind: 'skip', file, why: `failed before: ${earlier.error ?? ''}` };
    try {
      const shown = await readImageSize(bytes, file.path);
      const [photo, rgb] = await Promise.all([
        readPhotoMetadata(bytes),
        toModelRgb(bytes, size, file.path),
      ]);
      const userCaption = await readOwnerCaption(file.path, photo);
      return {
        kind: 'ready',
        file,
        sha256: hash,
        rgb,
        width: shown.width,
        height: shown.height,
        exif: photo.exif,
        userCaption,
      };
    } catch (err) {
      return { kind: 'failed', file, sha256: hash, error: decodeProblem(err) };
    }
  };

  const recordFailure = (file: FoundFile, hash: string | null, error: string) => {
    if (hash !== null) {
      const fileId = gallery.upsertLibraryFile(rootId, file.relPath, {
        sha256: hash,
        assetId: null,
        size: file.size,
        mtimeMs: file.mtimeMs,
      });
      gallery.saveCaptionFailure({ sha256: hash, fileId, modelId, error });
    }
    counts.failed++;
    report({ path: file.path, status: 'failed', caption: null, message: error });
    advance();
  };

  let readOnlyNoticed = false;
  const noticeUnwritable = (path: string, message: string) => {
    if (readOnlyNoticed) return;
    readOnlyNoticed = true;
    ctx.emit({
      type: 'notice',
      message: `no XMP sidecar for ${path}: ${message}`,
    });
  };

  /** Writes the model's caption to the file's sidecar, unless a person's caption is there. */
  const writeSidecar = async (path: string, text: string) => {
    const written = await writeSidecarCaption(path, text, modelId);
    if (!written.written && written.reason !== 'user-caption')
      noticeUnwritable(path, written.message);
  };

  /** A copy of a picture captioned before: link the file and give it the same caption. */
  const reuse = async (p: Extract<Prepared, { kind: 'reuse' }>) => {
    const assetId = gallery.findBySha(p.sha256);
    const text =
      assetId === null
        ? undefined
        : gallery.getItem(assetId)?.captions.find((c) => c.id === p.captionId)?.text;
    if (assetId !== null)
      gallery.upsertLibraryFile(rootId, p.file.relPath, {
        sha256: p.sha256,
        assetId,
        size: p.file.size,
        mtimeMs: p.file.mtimeMs,
      });
    const forSidecar = sidecarText(assetId, p.captionId);
    if (forSidecar !== null && req.writeXmp) await writeSidecar(p.file.path, forSidecar);
    counts.skipped++;
    report({
      path: p.file.path,
      status: 'skipped',
      caption: text ?? null,
      message: 'the same picture was captioned before: its caption is reused',
    });
    advance();
  };
  /** The photo's exact bits per dimension, as the model saw it; a failure is a notice only. */
  const measure = async (path: string, assetId: number, rgb: Uint8Array) => {
    if (!hasExactLikelihood(model.manifest)) return;
    try {
      const bits = await exactBitsPerDim(ctx.client, model, rgb, req.provider, req.threads);
      gallery.setLikelihood(assetId, modelId, bits);
    } catch (err) {
      ctx.emit({ type: 'notice', message: `no bits per dimension for ${path}: ${messageOf(err)}` });
    }
  };

  const commit = async (p: Extract<Prepared, { kind: 'ready' }>, end: TerminalEvent) => {
    if (end.type !== 'completed' || end.result.task !== 'caption') {
      const why = end.type === 'failed' ? end.message : `captioning ${end.type}`;
      if (end.type === 'failed' && !end.retryable) recordFailure(p.file, p.sha256, why);
      else {
        // Stopped or crashed mid-file: leave it without a result so the next run does it.
        report({ path: p.file.path, status: 'failed', caption: null, message: why });
        advance();
      }
      return;
    }
    modelSeconds += end.seconds;
    const text = end.result.caption;
    // A picture the model has no words for is this file's failure, not the whole job's.
    if (text.trim() === '') {
      recordFailure(p.file, p.sha256, 'the model gave no caption for it (nothing it recognises)');
      return;
    }
    const { assetId } = await gallery.addPhoto({
      path: p.file.path,
      sha256: p.sha256,
      mime: p.file.mime,
      width: p.width,
      height: p.height,
      size: p.file.size,
      exif: p.exif,
      origin: 'library',
    });
    const fileId = gallery.upsertLibraryFile(rootId, p.file.relPath, {
      sha256: p.sha256,
      assetId,
      size: p.file.size,
      mtimeMs: p.file.mtimeMs,
    });
    let user = p.userCaption;
    if (user !== null) keepOwnerCaption(gallery, assetId, user);
    if (user === null) {
      const typed = gallery.getItem(assetId)?.captions.find((c) => c.source !== 'model');
      if (typed !== undefined) user = { text: typed.text, where: 'the library (typed by you)' };
    }
    if (user === null && req.writeXmp) {
      const written = await writeSidecarCaption(p.file.path, text, modelId);
      if (!written.written && written.reason === 'user-caption') {
        // A person captioned the sidecar after it was read: theirs is the item's caption too.
        user = { text: written.userCaption, where: 'its XMP sidecar' };
        keepOwnerCaption(gallery, assetId, user);
      } else if (!written.written) noticeUnwritable(p.file.path, written.message);
    }
    const conflict =
      user === null
        ? null
        : `kept the caption already in ${user.where} ("${user.text.slice(0, 200)}"); this one is a suggestion`;
    gallery.saveCaption({
      sha256: p.sha256,
      assetId,
      fileId,
      modelId,
      text,
      role: user === null ? 'current' : 'suggestion',
      conflict,
    });
    await measure(p.file.path, assetId, p.rgb);
    if (user === null) counts.captioned++;
    else counts.suggestions++;
    report({
      path: p.file.path,
      status: user === null ? 'captioned' : 'suggestion',
      caption: text,
      message: conflict,
    });
    advance();
  };

  // 3. Caption in order, two requests in flight, stopping only at file boundaries.
  const inFlight: Promise<void>[] = [];
  let providerNoticed = false;
  for await (const p of prefetchInOrder(files, prepare, CAPTION_PIPELINE.prefetchDepth)) {
    if (ctx.stop.requested !== null) break;
    if (p.kind === 'skip') {
      counts.skipped++;
      report({ path: p.file.path, status: 'skipped', caption: null, message: p.why });
      advance();
      continue;
    }
    if (p.kind === 'failed') {
      recordFailure(p.file, p.sha256, p.error);
      continue;
    }
    if (p.kind === 'owner') {
      keepOwnerCaption(gallery, p.assetId, p.owner);
      counts.skipped++;
      report({
        path: p.file.path,
        status: 'skipped',
        caption: null,
        message: `already captioned; the caption in ${p.owner.where} is now the item's caption`,
      });
      advance();
      continue;
    }
    if (p.kind === 'sidecar') {
      await writeSidecar(p.file.path, p.text);
      counts.skipped++;
      report({
        path: p.file.path,
        status: 'skipped',
        caption: p.text,
        message: 'already captioned; its missing XMP sidecar was written',
      });
      advance();
      continue;
    }
    if (p.kind === 'reuse') {
      await reuse(p);
      continue;
    }
    const running = ctx.client.run(
      {
        task: 'caption',
        modelDir: model.dir,
        provider: req.provider,
        threads: req.threads,
        imageRgb: Buffer.from(p.rgb).toString('base64'),
        sampling: null,
      },
      (e) => {
        // A provider that could not start falls back to the CPU: say so once per job.
        if (e.type !== 'started' || e.notice === null || providerNoticed) return;
        providerNoticed = true;
        ctx.emit({ type: 'notice', message: e.notice });
      },
    );
    inFlight.push(running.then((end) => commit(p, end)));
    if (inFlight.length >= CAPTION_PIPELINE.inFlight) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - phaseStart) / 1000;
  const busyShare = seconds > 0 ? Math.min(1, modelSeconds / seconds) : 0;
  const stopped = ctx.stop.requested;
  if (stopped === 'cancel') return { status: 'cancelled' as const };
  if (stopped === 'pause') return { status: 'paused' as const, checkpoint: { done } };
  const summary = `${counts.captioned} captioned, ${counts.suggestions} kept as suggestions (user captions exist), ${counts.skipped} skipped, ${counts.failed} failed, ${problems} not images or unreadable, ${hiddenFolders} hidden folders skipped; ${total} images in ${seconds.toFixed(1)} s, model busy ${(busyShare * 100).toFixed(0)}%`;
  return {
    status: 'completed' as const,
    assetIds: [],
    summary,
    result: {
      ...counts,
      problems,
      hiddenFolders,
      leftoversRemoved: leftovers,
      images: total,
      seconds,
      busyShare,
    },
  };
}
