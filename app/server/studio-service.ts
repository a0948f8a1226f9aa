/**
 * The studio's handlers for every channel of the contract, over the library, the job queue and
 * the installed models. Platform-neutral: the Electron main process and the web mode's HTTP
 * bridge mount the same service, so the UI behaves the same in both.
 */
import { diffusionChoices, diffusionFor } from '../common/diffusion-settings.ts';
import { isRunnableFamily } from '../common/model-manifest.ts';
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import type {
  ItemSummaryView,
  JobView,
  ModelView,
  RequestOf,
  ResponseOf,
} from '../common/contract.ts';
import type { EventName, EventOf } from '../common/contract.ts';
import type { Channel } from '../common/contract.ts';
import { GalleryError, type Gallery, type ItemSummary, type JobRow } from '../gallery/index.ts';
import { exportToFolder, exportToZip } from '../library/export-items.ts';
import { importBytes, importPaths } from '../library/import-files.ts';
import { measureLikelihood } from '../library/measure-likelihood.ts';
import { keepOutsideImage, readPickedFile } from '../library/open-for-infill.ts';
import type { InferenceClient } from '../inference/client.ts';
import { compareRequest, modelsToCompare } from '../jobs/compare-jobs.ts';
import { promptSelfScore } from '../jobs/prompt-score.ts';
import { replayJobFor } from '../jobs/replay-job.ts';
import { JobRunner } from '../jobs/runner.ts';
import type { Provider } from '../common/inference-contract.ts';
import { providerNotice } from '../common/provider-notice.ts';
import { jobDetailsSchema, type JobDetails } from '../common/queue-contract.ts';
import { importModelFolder } from '../models/import-model.ts';
import { PullManager } from '../models/pull/pull-manager.ts';
import { checkPrompt } from '../models/prompt-check.ts';
import {
  DEFAULT_MODEL_ID,
  installedModels,
  ModelUnavailableError,
  resolveModel,
  type InstalledModel,
} from '../models/installed.ts';
import { readSettings, setModelProvider } from '../models/model-settings.ts';

/** Every channel but the native dialogs, which only the desktop shell can answer. */
export type ServiceChannel = Exclude<Channel, `dialog:${string}`>;
export type Handlers = {
  [C in ServiceChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};
export type Broadcast = <E extends EventName>(event: E, payload: EventOf<E>) => void;

/** The details a finished job stored with its result, when it has any. */
function detailsOf(result: unknown): { details?: JobDetails } {
  const parsed = jobDetailsSchema.safeParse(result ?? {});
  return parsed.success && Object.keys(parsed.data).length > 0 ? { details: parsed.data } : {};
}

function jobView(job: JobRow): JobView {
  const request = job.request as { prompt?: string; folder?: string };
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    title: request.prompt ?? request.folder ?? job.kind,
    modelId: job.modelId,
    ...(job.batchId === null ? {} : { batchId: job.batchId }),
    done: job.done,
    total: job.total,
    error: job.error,
    assetIds: (job.result as { assetIds?: number[] } | null)?.assetIds ?? [],
    summary: (job.result as { summary?: string } | null)?.summary ?? null,
    ...detailsOf(job.result),
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

function itemView(item: ItemSummary): ItemSummaryView {
  return {
    id: item.id,
    sha256: item.sha256,
    kind: item.kind,
    mime: item.mime,
    width: item.width,
    height: item.height,
    createdAt: item.createdAt,
    starred: item.starred,
    rating: item.rating,
    title: item.title,
    modelId: item.modelId,
    thumbSha256: item.sha256,
  };
}

function modelView(m: InstalledModel, provider: Provider): ModelView | null {
  const x = m.manifest;
  if (x === null) return null;
  const diffusion = diffusionChoices(x);
  return {
    id: x.id,
    name: x.name,
    family: x.family,
    usable: isRunnableFamily(x.family),
    problem: isRunnableFamily(x.family)
      ? null
      : `${x.family} models cannot run in this version yet`,
    source: m.source,
    image: { width: x.image.width, height: x.image.height, cell: x.image.patch ?? 1 },
    styles: Object.keys(x.tokenizer.styles),
    capabilities: x.capabilities,
    sampling: {
      defaults: {
        cfgScale: x.sampling.defaults.cfgScale,
        temperature: x.sampling.defaults.temperature,
        topK: x.sampling.defaults.topK,
        topP: x.sampling.defaults.topP,
        bestOf: x.sampling.defaults.bestOf,
      },
      bounds: x.sampling.bounds,
      ...(diffusion === null ? {} : { diffusion }),
    },
    diskBytes: m.bytes,
    recommendedRamBytes: x.memory.recommendedRamBytes,
    trainedOnEmojiOnly: String(x.data.dataset ?? '').startsWith('emoji'),
    metrics: x.metrics,
    provider,
    decoderSha256: x.graphs.decoder?.sha256 ?? null,
  };
}

export class StudioService {
  readonly runner: JobRunner;
  /** Hub pulls in the background, told as `models:pull` events. */
  readonly pulls: PullManager;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly home: string,
    private readonly gallery: Gallery,
    private readonly client: InferenceClient,
    private readonly broadcast: Broadcast,
  ) {
    this.pulls = new PullManager(home, (event) => broadcast('models:pull', event));
    this.runner = new JobRunner({
      gallery,
      client,
      resolveModel: (modelId) => resolveModel(home, modelId),
      onEvent: (event) => {
        broadcast('jobs:event', event);
        if (event.type === 'completed' && event.assetIds.length > 0)
          broadcast('gallery:changed', { assetIds: event.assetIds });
      },
    });
  }

  /** Runs the queue in the background until it is empty; one job at a time. */
  kick(): void {
    if (this.draining !== null) return;
    this.draining = this.runner
      .drain()
      .then(() => undefined)
      .finally(() => {
        this.draining = null;
        // A job submitted while the last one finished would otherwise wait for the next kick.
        if (this.gallery.jobs.list({ statuses: ['queued'], limit: 1 }).length > 0) this.kick();
      });
  }

  /** Resolves when the queue has nothing left to run (tests, orderly shutdown). */
  async idle(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  readonly handlers: Handlers = {
    // The default model first: screens start with the first usable one.
    'models:list': async () => {
      // A damaged settings file lists every model on its defaults; changing one says why not.
      const [models, { settings }] = await Promise.all([
        installedModels(this.home),
        readSettings(this.home),
      ]);
      return models
        .map((m) => modelView(m, settings.modelProviders[m.manifest?.id ?? ''] ?? 'cpu'))
        .filter((m): m is ModelView => m !== null)
        .sort((a, b) => Number(b.id === DEFAULT_MODEL_ID) - Number(a.id === DEFAULT_MODEL_ID));
    },
    'models:providers': async () => ({ providers: await this.client.providers() }),
    'models:setProvider': async ({ modelId, provider }) => {
      if (!(await installedModels(this.home)).some((m) => m.manifest?.id === modelId))
        throw new ModelUnavailableError(`no installed model "${modelId}": rescan the models`);
      await setModelProvider(this.home, modelId, provider);
      return { provider, notice: providerNotice(provider, await this.client.providers()) };
    },
    'models:import': ({ path }) => importModelFolder(this.home, path),
    'models:pull': (r) => this.pulls.start(r),
    'models:cancelPull': ({ pullId }) => this.pulls.cancel(pullId),
    'models:promptCheck': (r) => checkPrompt(this.home, r),
    'jobs:submitGenerate': async (r) => {
      const model = await resolveModel(this.home, r.modelId);
      // Denoising settings the model cannot take are refused here, saying its range, not
      // queued to fail; the job records the defaults it runs with.
      const sampling = diffusionFor(model.manifest, r.sampling);
      const batchId = crypto.randomUUID();
      const jobIds = Array.from({ length: r.count }, (_, i) => {
        const request = {
          kind: 'generate' as const,
          modelId: model.manifest.id,
          provider: r.provider,
          threads: r.threads ?? 2,
          prompt: r.prompt,
          negativePrompt: r.negativePrompt,
          style: r.style,
          seed: r.seed,
          imageIndex: i * r.bestOf,
          bestOf: r.bestOf,
          sampling,
          boardId: r.boardId,
          // absent = `auto`; only models with a retrieval memory read it
          ...(r.retrieval === undefined ? {} : { retrieval: r.retrieval }),
        };
        return this.gallery.jobs.submit({
          kind: 'generate',
          modelId: model.manifest.id,
          request,
          batchId,
        }).id;
      });
      this.kick();
      return { jobIds };
    },
    'compare:run': async (r) => {
      const manifests = await modelsToCompare(this.home, r.modelIds);
      const seed = r.seed ?? randomInt(0, 2 ** 32);
      const batchId = crypto.randomUUID();
      const runs = manifests.map((m) => ({
        modelId: m.id,
        family: m.family,
        jobId: this.gallery.jobs.submit({
          kind: 'generate',
          modelId: m.id,
          request: compareRequest(m, {
            prompt: r.prompt,
            seed,
            provider: r.provider,
            threads: 2,
            shared: r.sampling,
          }),
          batchId,
        }).id,
      }));
      this.kick();
      return { seed, runs };
    },
    'compare:measure': async ({ id }) => {
      const item = this.gallery.getItem(id);
      const made = item?.generation ?? null;
      if (item === null || made === null)
        throw new GalleryError('not-found', `there is no generated library item ${id}`);
      const seconds = made.durationMs === null ? null : made.durationMs / 1000;
      const bytes = await this.gallery.readImageBytes(item.sha256);
      const model = await resolveModel(this.home, made.recipe.modelId).catch(() => null);
      if (bytes === null || model === null) return { seconds, logProbPerToken: null };
      const provider = (await readSettings(this.home)).settings.modelProviders[model.manifest.id];
      const logProbPerToken = await promptSelfScore(
        this.client,
        model,
        bytes,
        made.recipe.prompt,
        provider ?? 'cpu',
      );
      return { seconds, logProbPerToken };
    },
    'jobs:submitCaptionFolder': async (r) => {
      const model = await resolveModel(this.home, r.modelId);
      const request = {
        ...r,
        kind: 'caption-folder' as const,
        modelId: model.manifest.id,
        threads: r.threads ?? 2,
      };
      const { id } = this.gallery.jobs.submit({
        kind: 'caption-folder',
        modelId: model.manifest.id,
        request,
      });
      this.kick();
      return { jobId: id };
    },
    'jobs:list': () => this.gallery.jobs.list({ limit: 500 }).map(jobView),
    'jobs:cancel': ({ jobId }) => jobView(this.runner.request(jobId, 'cancel')),
    'jobs:pause': ({ jobId }) => jobView(this.runner.request(jobId, 'pause')),
    'jobs:resume': ({ jobId }) => {
      const row = this.gallery.jobs.resume(jobId);
      this.kick();
      return jobView(row);
    },
    'jobs:retry': ({ jobId }) => {
      const row = this.gallery.jobs.retry(jobId);
      this.kick();
      return jobView(row);
    },
    'jobs:move': ({ jobId, where }) => {
      this.gallery.jobs.move(jobId, where);
      return jobView(this.gallery.jobs.get(jobId)!);
    },
    'jobs:prune': () => ({ removed: this.gallery.jobs.prune() }),
    'jobs:files': ({ jobId, status, after, limit }) =>
      this.gallery.jobs.files(jobId, {
        ...(status !== undefined ? { status } : {}),
        ...(after !== undefined ? { after } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
    'gallery:query': (q) => {
      const page = this.gallery.query(q);
      return { items: page.items.map(itemView), nextCursor: page.nextCursor };
    },
    'gallery:update': (r) => {
      if (r.starred !== undefined) this.gallery.setStar(r.ids, r.starred);
      if (r.rating !== undefined) this.gallery.setRating(r.ids, r.rating);
      if (r.addTags !== undefined && r.addTags.length > 0) this.gallery.addTags(r.ids, r.addTags);
      if (r.removeTags !== undefined && r.removeTags.length > 0)
        this.gallery.removeTags(r.ids, r.removeTags);
      this.broadcast('gallery:changed', { assetIds: r.ids });
      return {};
    },
    'gallery:get': ({ id }) => {
      const item = this.gallery.getItem(id);
      if (item === null) throw new GalleryError('not-found', `there is no library item ${id}`);
      return {
        ...itemView(item),
        origin: item.origin,
        bytes: item.bytes,
        exif: item.exif,
        recipe: item.generation?.recipe ?? null,
        foreign:
          item.foreign === null
            ? null
            : {
                tool: item.foreign.tool,
                prompt: item.foreign.prompt,
                negativePrompt: item.foreign.negativePrompt,
                settings: item.foreign.settings,
                seed: item.foreign.seed,
                infotext: item.foreign.infotext,
                promptGraph: item.foreign.promptGraph,
                workflow: item.foreign.workflow,
              },
        captions: item.captions,
        tags: item.tags,
        boards: item.boards,
        score: item.score,
        likelihood: item.likelihood,
        parents: item.parents,
        children: item.children,
        files: item.files,
        deletedAt: item.deletedAt,
      };
    },
    'gallery:similar': ({ id, limit }) => this.gallery.similar(id, limit ?? 50),
    'gallery:likelihood': async ({ ids, modelId }) => {
      const [model, { settings }] = await Promise.all([
        resolveModel(this.home, modelId),
        readSettings(this.home),
      ]);
      const provider = settings.modelProviders[model.manifest.id] ?? 'cpu';
      const out = await measureLikelihood(this.gallery, this.client, model, ids, provider);
      if (out.measured.length > 0)
        this.broadcast('gallery:changed', { assetIds: out.measured.map((m) => m.id) });
      return out;
    },
    'gallery:lineage': ({ id }) => this.gallery.lineage(id),
    'gallery:import': async ({ paths, recursive }) => {
      const out = [];
      for await (const r of importPaths(this.gallery, paths, recursive))
        out.push({ path: r.path, status: r.status, assetId: r.assetId, message: r.message });
      const added = out.flatMap((r) =>
        r.status === 'imported' && r.assetId !== null ? [r.assetId] : [],
      );
      if (added.length > 0) this.broadcast('gallery:changed', { assetIds: added });
      return out;
    },
    'gallery:importUpload': async ({ name, dataBase64 }) => {
      const r = await importBytes(this.gallery, basename(name), Buffer.from(dataBase64, 'base64'));
      if (r.status === 'imported' && r.assetId !== null)
        this.broadcast('gallery:changed', { assetIds: [r.assetId] });
      return { path: r.path, status: r.status, assetId: r.assetId, message: r.message };
    },
    'gallery:export': async ({ ids, to }) => {
      const files = to.toLowerCase().endsWith('.zip')
        ? await exportToZip(this.gallery, ids, to)
        : await exportToFolder(this.gallery, ids, to);
      return { to, files: files.map((f) => f.name) };
    },
    'jobs:submitInfill': async (r) => {
      if ((r.parentId === undefined) === (r.sourceSha256 === undefined))
        throw new GalleryError(
          'invalid',
          'an infill needs exactly one image: a library item (parentId) or an opened file (sourceSha256)',
        );
      if (r.sourceSha256 !== undefined && this.gallery.objectPath(r.sourceSha256) === null)
        throw new GalleryError(
          'not-found',
          'the opened file is no longer kept by the library: open it in Infill again',
        );
      const model = await resolveModel(this.home, r.modelId);
      const request = {
        ...r,
        sampling: diffusionFor(model.manifest, r.sampling),
        kind: 'infill' as const,
        modelId: model.manifest.id,
        threads: r.threads ?? 2,
      };
      const { id } = this.gallery.jobs.submit({
        kind: 'infill',
        modelId: model.manifest.id,
        request,
      });
      this.kick();
      return { jobId: id };
    },
    'infill:openFile': async (r) =>
      keepOutsideImage(
        this.gallery,
        r.from === 'path'
          ? { name: r.path, bytes: await readPickedFile(r.path) }
          : { name: r.name, bytes: Buffer.from(r.dataBase64, 'base64') },
      ),
    'gallery:replay': async ({ id }) => {
      const job = await replayJobFor(this.gallery, this.home, id);
      const { id: jobId } = this.gallery.jobs.submit(job);
      this.kick();
      return { jobId };
    },
    'captions:set': ({ id, text }) => {
      const captionId = this.gallery.setUserCaption(id, text);
      this.broadcast('gallery:changed', { assetIds: [id] });
      return { captionId };
    },
    'captions:accept': ({ captionId }) => {
      this.gallery.acceptSuggestion(captionId);
      return {};
    },
    'boards:list': () => this.gallery.listBoards(),
    'boards:create': ({ name, autoAdd }) => ({
      id: this.gallery.createBoard(name, autoAdd ?? false),
    }),
    // Boards are part of each item's detail: open panels refresh through gallery:changed.
    'boards:add': ({ boardId, ids }) => {
      this.gallery.addToBoard(boardId, ids);
      this.broadcast('gallery:changed', { assetIds: ids });
      return {};
    },
    'boards:remove': ({ boardId, ids }) => {
      this.gallery.removeFromBoard(boardId, ids);
      this.broadcast('gallery:changed', { assetIds: ids });
      return {};
    },
    'gallery:delete': ({ ids }) => {
      this.gallery.trash(ids);
      this.broadcast('gallery:changed', { assetIds: ids });
      return {};
    },
    'gallery:restore': ({ ids }) => {
      this.gallery.restore(ids);
      this.broadcast('gallery:changed', { assetIds: ids });
      return {};
    },
  };
}
