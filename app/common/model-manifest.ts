/**
 * The model manifest: the contract between an exported model folder and the app
 * (docs/models.md §The manifest). native-models/…/manifest.py writes it; every model, embedded
 * or imported, is validated here before any graph is loaded, and nothing reads a tensor name it
 * does not list.
 */
import { z } from 'zod';
import {
  bestOfSchema,
  DIFFUSION_SAMPLER_NAMES,
  type DiffusionSampler,
} from './inference-contract.ts';

/** The newest manifest format this app understands; newer manifests are refused, not guessed. */
export const MANIFEST_VERSION = 1;

export const FAMILIES = ['vq-ar', 'jpeg-lm', 'jetformer', 'transfusion', 'janus-pro'] as const;
export type Family = (typeof FAMILIES)[number];

/** Families this build can run; the inference registry's test keeps the two lists equal. */
export const RUNNABLE_FAMILIES: readonly Family[] = [
  'vq-ar',
  'jpeg-lm',
  'jetformer',
  'transfusion',
  'janus-pro',
];
export const isRunnableFamily = (family: Family): boolean => RUNNABLE_FAMILIES.includes(family);

/** The unit each family counts its generation progress in (a token, an MCU, a denoising step). */
export const PROGRESS_UNIT: Record<Family, 'token' | 'mcu' | 'step'> = {
  'vq-ar': 'token',
  'jpeg-lm': 'mcu',
  jetformer: 'token',
  transfusion: 'step',
  'janus-pro': 'token',
};

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');
const dim = z.union([z.number().int().nonnegative(), z.string().min(1)]);

export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'float16', 'int64', 'int32', 'uint8', 'bool']),
  shape: z.array(dim),
});

/** A name a manifest may give a file: one entry of the model folder itself, never a path. */
export const isPlainName = (file: string): boolean =>
  file !== '' &&
  file !== '.' &&
  file !== '..' &&
  !file.includes('/') &&
  !file.includes('\\') &&
  !file.includes('\0');

// The refusal names the rule, never the value: a hostile manifest's path is not echoed back.
const ownFile = (what: string) =>
  z
    .string()
    .min(1)
    .max(255)
    .refine(isPlainName, {
      message: `${what} must sit in the model folder itself (a plain file name, not a path)`,
    });

/** A path below the model folder ('hf/onnx/model.onnx'): relative, with no way up or out. */
const innerPath = (what: string) =>
  z
    .string()
    .min(1)
    .max(1024)
    .refine((p) => !p.startsWith('/') && p.split('/').every(isPlainName), {
      message: `${what} must be a path inside the model folder`,
    });

export const graphSchema = z.object({
  // A path below the folder, so a converted checkpoint keeps the published layout (onnx/…).
  file: innerPath('graph files'),
  sha256,
  bytes: z.number().int().positive(),
  opset: z.number().int().min(17),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
  kv: z
    .object({
      layers: z.number().int().positive(),
      kvHeads: z.number().int().positive(),
      headDim: z.number().int().positive(),
      pastKey: z.string().includes('{i}'),
      pastValue: z.string().includes('{i}'),
      presentKey: z.string().includes('{i}'),
      presentValue: z.string().includes('{i}'),
      context: z.number().int().positive(),
      /** How the graph keeps its cache (engine/kv-cache.ts); older exports concatenate. */
      cache: z.enum(['concat', 'slots']).default('concat'),
    })
    .optional(),
  /** The weights' storage type, named as the published layouts name it (q4: 4-bit blocks). */
  dtype: z.enum(['fp32', 'fp16', 'int8', 'uint8', 'q8', 'q4', 'q4f16']).optional(),
  /**
   * The graph's weights as ONNX external data in one file beside it (graphs over protobuf's
   * 2 GiB limit); onnxruntime finds it by the name the graph records, next to the graph.
   */
  externalData: z
    .object({ file: innerPath('external data files'), sha256, bytes: z.number().int().positive() })
    .optional(),
});

const hashedFile = z.object({ file: ownFile('jpeg files'), sha256 });

/**
 * `jpeg-lm` (docs/models.md §jpeg-lm): the JPEG recipe the model reads and writes, the shipped
 * tables-only stream and per-size header (the model emits only the body), the byte BPE and
 * the MCU grammar's per-MCU token limit. The codec supports baseline 4:2:0 with a restart
 * marker after every MCU only, so anything else is refused here rather than mis-decoded.
 */
export const jpegSchema = z.object({
  quality: z.number().int().min(1).max(100),
  subsampling: z.literal('4:2:0'),
  restartInterval: z.literal(1),
  mcus: z.number().int().positive(),
  mcusPerRow: z.number().int().positive(),
  mcuSize: z.literal(16),
  maxMcuTokens: z.number().int().positive(),
  tables: hashedFile,
  header: hashedFile,
  bpe: hashedFile.extend({
    /** 265 base symbols (bytes, FF 00, RST0..7, EOI) plus the merges */
    size: z.number().int().min(265),
    /** model id of BPE id 0 */
    offset: z.number().int().nonnegative(),
  }),
});

/**
 * `transfusion` (docs/models.md §transfusion): the diffusion objective and what patch_out
 * predicts, the schedule (ᾱ for ddpm, shipped so the loop never recomputes it), the patch grid,
 * the samplers and the denoising settings' defaults and bounds. Cross-field rules (a schedule
 * of `timesteps` values in (0, 1), samplers that fit the objective) are checked in
 * checkDiffusion so a damaged block is named with what to do.
 */
export const DIFFUSION_SAMPLERS = { ddpm: ['ddim'], flow: ['euler', 'heun', 'midpoint'] } as const;
export type { DiffusionSampler };
const samplerName = z.enum(DIFFUSION_SAMPLER_NAMES);

export const diffusionSchema = z.object({
  objective: z.enum(['ddpm', 'flow']),
  prediction: z.enum(['eps', 'velocity']),
  schedule: z.enum(['cosine', 'rectified-flow']),
  timesteps: z.number().int().nonnegative(),
  alphasBar: z.array(z.number()).optional(),
  patches: z.number().int().positive(),
  patchDim: z.number().int().positive(),
  samplers: z.array(samplerName).min(1),
  infill: z.literal('repaint'),
  defaults: z.object({
    steps: z.number().int().positive(),
    sampler: samplerName,
    cfgScale: z.number(),
  }),
  bounds: z.object({
    steps: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    cfgScale: z.tuple([z.number(), z.number()]),
  }),
});

/**
 * `jetformer` (docs/models.md §jetformer): the soft-token grid, how many leading dims of each
 * token the decoder models (the rest are factored out under N(0, 1)), the mixture size, and the
 * GMM sampling settings beyond the shared ones (the scale temperature is the request's
 * `temperature`; the mixture temperature is the manifest's). Pixels are quantised by flooring
 * and encoded at their bin centres.
 */
export const gmmSchema = z
  .object({
    tokens: z.number().int().positive(),
    tokenDim: z.number().int().positive(),
    arDims: z.number().int().positive(),
    factoredDims: z.number().int().nonnegative(),
    mixtures: z.number().int().positive(),
    couplings: z.number().int().positive(),
    guidance: z.literal('closed-form'),
    quantise: z.literal('floor'),
    encodeAt: z.literal('bin-centre'),
    defaults: z.object({
      cfgScale: z.number(),
      temperatureProbs: z.number().positive(),
      temperatureScales: z.number().positive(),
    }),
    bounds: z.object({
      temperatureProbs: z.tuple([z.number().positive(), z.number().positive()]),
      temperatureScales: z.tuple([z.number().positive(), z.number().positive()]),
    }),
  })
  .refine((g) => g.arDims + g.factoredDims === g.tokenDim, {
    message: 'gmm.arDims + gmm.factoredDims must equal gmm.tokenDim',
  });

const idRange = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);
const bounds = z.tuple([z.number(), z.number()]);

export const manifestSchema = z
  .object({
    manifestVersion: z.number().int().positive(),
    id: z.string().regex(/^[a-z0-9._-]+\/[a-z0-9._-]+$/, 'expected "owner/name"'),
    name: z.string().min(1),
    license: z.string().min(1),
    licenseNote: z.string().optional(),
    source: z.object({ commit: z.string(), config: z.string(), command: z.string() }),
    family: z.enum(FAMILIES),
    variant: z.string().min(1),
    familyVersion: z.number().int().positive(),
    image: z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      channels: z.literal(3),
      valueRange: z.tuple([z.number(), z.number()]),
      background: z.string(),
      grid: z.number().int().positive().optional(),
      patch: z.number().int().positive().optional(),
    }),
    tokenizer: z.object({
      kind: z.enum(['word', 'bytes-bpe', 'bpe', 'sentencepiece']),
      file: ownFile('the tokenizer file'),
      sha256,
      vocabSize: z.number().int().positive(),
      maxTokens: z.number().int().positive(),
      idRanges: z.object({ text: idRange, image: idRange.optional(), style: idRange.nullable() }),
      unknown: z.number().int().nonnegative(),
      styles: z.record(z.string(), z.number().int().nonnegative()),
      /**
       * Prompt captions (a retrieved document's too) are left-padded with the pad token to this
       * many tokens, so every part of a layout starts at a fixed position.
       */
      captionSlot: z.number().int().positive().optional(),
    }),
    specialTokens: z.object({
      pad: z.number().int().nonnegative(),
      bos: z.number().int().nonnegative(),
      eos: z.number().int().nonnegative(),
      null: z.number().int().nonnegative(),
      break: z.number().int().nonnegative().optional(),
      mask: z.number().int().nonnegative().optional(),
      infill: z.number().int().nonnegative().optional(),
      boi: z.number().int().nonnegative().optional(),
      eoi: z.number().int().nonnegative().optional(),
      sentinels: z.array(z.number().int().nonnegative()).optional(),
    }),
    layouts: z.record(z.string(), z.array(z.unknown())),
    graphs: z.record(z.string(), graphSchema),
    capabilities: z.object({
      generate: z.boolean(),
      infill: z.enum(['native', 'approximate', 'constrained', 'none']),
      caption: z.boolean(),
      likelihood: z.enum(['exact', 'tokens', 'bound', 'none']),
      embed: z.boolean(),
      retrieval: z.boolean(),
      prefixCompletion: z.boolean(),
    }),
    cfg: z.object({
      rowOrder: z.tuple([z.literal('cond'), z.literal('uncond')]),
      uncondRule: z.enum(['replace-with-null', 'pad-keep-ends', 'mask-all']),
      nullId: z.number().int().nonnegative(),
    }),
    sampling: z.object({
      prngVersion: z.string(),
      pipelineVersion: z.number().int().positive(),
      defaults: z.object({
        cfgScale: z.number(),
        temperature: z.number().nonnegative(),
        topK: z.number().int().nonnegative(),
        topP: z.number().positive().max(1),
        cdk: z.object({ alpha: z.number(), k: z.number().int().positive(), tau: z.number() }),
        bestOf: bestOfSchema.default(1),
      }),
      bounds: z.object({ cfgScale: bounds, temperature: bounds, topK: bounds, topP: bounds }),
    }),
    vq: z
      .object({
        grid: z.number().int().positive(),
        codebook: z.number().int().positive(),
        quantizer: z.enum(['fsq', 'vq']),
        levels: z.array(z.number().int().positive()).optional(),
      })
      .optional(),
    jpeg: jpegSchema.optional(),
    gmm: gmmSchema.optional(),
    diffusion: diffusionSchema.optional(),
    /**
     * The retrieval memory (vq-ar, docs/models.md §vq-ar retrieval): captioned code grids
     * searched by a prompt's caption; the top document is prepended to both CFG rows.
     */
    retrieval: z
      .object({
        memory: z.object({ file: ownFile('the retrieval memory'), sha256 }),
        codes: z.object({
          file: ownFile('the retrieval memory'),
          sha256,
          dtype: z.literal('uint16'),
          shape: z.tuple([z.number().int().positive(), z.number().int().positive()]),
        }),
        documents: z.number().int().positive(),
        query: z.literal('caption-tfidf'),
        topK: z.literal(1),
      })
      .optional(),
    /** The same weights in the Hugging Face layout, for use outside Tessera; the app ignores it. */
    hf: z
      .object({ folder: innerPath('hf.folder'), model: innerPath('hf.model'), sha256 })
      .optional(),
    memory: z.object({
      weightBytes: z.number().int().positive(),
      kvBytesPerTokenPerRow: z.number().int().nonnegative(),
      recommendedRamBytes: z.number().int().positive(),
    }),
    data: z.record(z.string(), z.unknown()),
    /** How the weights were trained. `resolvedConfig`: every hyperparameter of the config that
     * produced them, after all of its layers (native-models' common/resolved_config.py). */
    training: z
      .object({ resolvedConfig: z.record(z.string(), z.unknown()).optional() })
      .catchall(z.unknown()),
    metrics: z.record(z.string(), z.unknown()),
    parity: z.record(z.string(), z.unknown()),
  })
  .superRefine((m, ctx) => {
    if (m.manifestVersion > MANIFEST_VERSION) {
      ctx.addIssue({
        code: 'custom',
        path: ['manifestVersion'],
        message: `made for a newer Tessera (manifest version ${m.manifestVersion}, this app reads up to ${MANIFEST_VERSION}): update Tessera to use this model`,
      });
    }
    const required: Record<Family, string[]> = {
      'vq-ar': ['decoder', 'vq_encode', 'vq_decode'],
      'jpeg-lm': ['decoder'],
      jetformer: [
        'flow_forward',
        'flow_inverse',
        'embed_text',
        'embed_image',
        'decoder',
        'gmm_head',
        'text_head',
        'score',
      ],
      transfusion: ['embed_text', 'patch_in', 'decoder', 'patch_out', 'lm_head'],
      'janus-pro': [
        'prepare_inputs_embeds',
        'language_model',
        'lm_head',
        'gen_head',
        'gen_img_embeds',
        'image_decode',
      ],
    };
    for (const role of required[m.family]) {
      if (m.graphs[role] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['graphs', role],
          message: `a ${m.family} model needs a "${role}" graph`,
        });
      }
    }
    if ((m.family === 'vq-ar' || m.family === 'janus-pro') && m.vq === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['vq'],
        message: `a ${m.family} model needs a "vq" block`,
      });
    }
    if (m.family === 'jpeg-lm') checkJpeg(m, ctx);
    if (m.family === 'jetformer' && m.gmm === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['gmm'],
        message:
          'a jetformer model needs a "gmm" block (its token grid and mixture head): re-export it with tessera_models.jetformer.export',
      });
    if (m.family === 'transfusion') checkDiffusion(m, ctx);
    const slot = m.tokenizer.captionSlot;
    if (slot !== undefined && slot < m.tokenizer.maxTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenizer', 'captionSlot'],
        message: `a caption slot of ${slot} tokens cannot hold the tokenizer's ${m.tokenizer.maxTokens}-token captions: re-export the model`,
      });
    }
    if (m.capabilities.retrieval !== (m.retrieval !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['retrieval'],
        message: m.capabilities.retrieval
          ? 'the model declares retrieval but has no "retrieval" block: re-export it'
          : 'the model has a "retrieval" block but does not declare the capability: re-export it',
      });
    }
    const r = m.retrieval;
    if (r !== undefined && m.vq !== undefined) {
      if (r.codes.shape[0] !== r.documents || r.codes.shape[1] !== m.vq.grid ** 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['retrieval', 'codes', 'shape'],
          message: `the retrieval codes [${r.codes.shape.join(', ')}] are not ${r.documents} grids of ${m.vq.grid}×${m.vq.grid}: re-export the model`,
        });
      }
    }
  });

/** The `jpeg` block of a jpeg-lm manifest, present and consistent with the rest. */
function checkJpeg(
  m: {
    jpeg?: z.infer<typeof jpegSchema> | undefined;
    image: { width: number; height: number };
    tokenizer: { vocabSize: number };
  },
  ctx: z.RefinementCtx,
): void {
  const j = m.jpeg;
  const reexport = 're-export the model with native-models (tessera_models.jpeg_lm.export)';
  if (j === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['jpeg'],
      message: `a jpeg-lm model needs a "jpeg" block (JPEG tables, header and byte BPE): ${reexport}`,
    });
    return;
  }
  const problems: [string[], string][] = [];
  if (
    j.mcusPerRow * j.mcuSize !== m.image.width ||
    j.mcus * j.mcuSize ** 2 !== m.image.width * m.image.height
  )
    problems.push([
      ['jpeg', 'mcus'],
      `${j.mcus} MCUs of ${j.mcuSize} px, ${j.mcusPerRow} per row, do not tile a ${m.image.width}×${m.image.height} image`,
    ]);
  if (j.bpe.offset + j.bpe.size !== m.tokenizer.vocabSize)
    problems.push([
      ['jpeg', 'bpe'],
      `JPEG tokens [${j.bpe.offset}, ${j.bpe.offset + j.bpe.size}) must end the vocabulary of ${m.tokenizer.vocabSize}`,
    ]);
  for (const [path, message] of problems)
    ctx.addIssue({ code: 'custom', path, message: `${message}: ${reexport}` });
}

/** The `diffusion` block of a transfusion manifest, present and consistent with the rest. */
function checkDiffusion(
  m: {
    diffusion?: z.infer<typeof diffusionSchema> | undefined;
    image: { width: number; height: number; patch?: number | undefined };
  },
  ctx: z.RefinementCtx,
): void {
  const d = m.diffusion;
  const reexport = 're-export the model with native-models (tessera_models.transfusion.export)';
  if (d === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['diffusion'],
      message: `a transfusion model needs a "diffusion" block (its noise schedule and samplers): ${reexport}`,
    });
    return;
  }
  const problems: [string[], string][] = [];
  if (d.objective === 'ddpm') {
    const a = d.alphasBar ?? [];
    if (d.timesteps < 1 || a.length !== d.timesteps || !a.every((x) => x > 0 && x < 1))
      problems.push([
        ['diffusion', 'alphasBar'],
        `the noise schedule is missing or damaged (${d.timesteps} values strictly between 0 and 1 needed, found ${a.length}${a.every((x) => x > 0 && x < 1) ? '' : ' with some outside'})`,
      ]);
  }
  const fits: readonly string[] = DIFFUSION_SAMPLERS[d.objective];
  if (!d.samplers.every((s) => fits.includes(s)) || !d.samplers.includes(d.defaults.sampler))
    problems.push([
      ['diffusion', 'samplers'],
      `a ${d.objective} model samples with ${fits.join(' or ')}; the manifest lists ${d.samplers.join(', ')} with default ${d.defaults.sampler}`,
    ]);
  const p = m.image.patch;
  if (
    p === undefined ||
    m.image.width % p !== 0 ||
    m.image.height % p !== 0 ||
    d.patches !== (m.image.width / p) * (m.image.height / p) ||
    d.patchDim !== p * p * 3
  )
    problems.push([
      ['diffusion', 'patches'],
      `${d.patches} patches of ${d.patchDim} values do not tile a ${m.image.width}×${m.image.height} image in ${p ?? '?'}-pixel patches`,
    ]);
  const [lo, hi] = d.bounds.steps;
  if (lo > hi || d.defaults.steps < lo || d.defaults.steps > hi)
    problems.push([
      ['diffusion', 'defaults', 'steps'],
      `default steps ${d.defaults.steps} lie outside [${lo}, ${hi}]`,
    ]);
  const [glo, ghi] = d.bounds.cfgScale;
  if (glo > ghi || d.defaults.cfgScale < glo || d.defaults.cfgScale > ghi)
    problems.push([
      ['diffusion', 'defaults', 'cfgScale'],
      `default guidance ${d.defaults.cfgScale} lies outside [${glo}, ${ghi}]`,
    ]);
  for (const [path, message] of problems)
    ctx.addIssue({ code: 'custom', path, message: `${message}: ${reexport}` });
}

export type ModelManifest = z.infer<typeof manifestSchema>;

/**
 * Whether a model scores texts against an image, log p(text | image): what its caption head
 * reads after the image, so every model that captions can. The manifest's `likelihood` speaks
 * of the image's own likelihood, which a diffusion model lacks and still scores texts.
 */
export function canScoreTexts(capabilities: ModelManifest['capabilities']): boolean {
  return capabilities.caption;
}

/**
 * The graph whose hash names a model's weights (recipes and imports find a model by it): the
 * decoder, or for a converted Janus checkpoint its language model.
 */
export const identityGraph = (m: ModelManifest): z.infer<typeof graphSchema> | undefined =>
  m.graphs.decoder ?? m.graphs.language_model;

export type ManifestResult =
  | { ok: true; value: ModelManifest }
  | { ok: false; error: { code: 'manifest-invalid'; message: string } };

/** Parses untrusted JSON text; errors name the field and say what to do. */
export function parseManifest(text: string, where: string): ManifestResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: {
        code: 'manifest-invalid',
        message: `${where} is not valid JSON (a damaged or foreign file): re-export or re-download the model`,
      },
    };
  }
  const parsed = manifestSchema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return {
    ok: false,
    error: {
      code: 'manifest-invalid',
      message: `${where} is not a usable model manifest: ${first}`,
    },
  };
}
