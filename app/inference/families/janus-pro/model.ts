/**
 * A loaded `janus-pro` model: its validated manifest and layouts, the BPE tokenizer of its
 * checkpoint, and the six onnxruntime sessions of the ONNX layout @huggingface/transformers runs
 * (prepare_inputs_embeds, language_model, lm_head, gen_head, gen_img_embeds, image_decode).
 * plus, for infill, `image_encode` (the VQ encoder: Tessera's converter adds it; a folder without
 * it cannot infill). Every graph is checked against its manifest hash (and its external weights,
 * when it keeps them beside it, against theirs) and for the inputs and outputs the loops feed
 * and read, so a swapped or foreign graph is named before anything runs on it.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { join } from 'node:path';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { loadSession, type LoadedSession, type Provider } from '../../engine/ort.ts';
import { readManifest } from '../manifest-file.ts';
import { checkLargeFile, readCheckedFile } from '../model-files.ts';
import { ModelLoadError } from '../types.ts';
import { parseJanusLayouts, type JanusLayouts } from './layouts.ts';

export const JANUS_GRAPHS = [
  'prepare_inputs_embeds',
  'language_model',
  'lm_head',
  'gen_head',
  'gen_img_embeds',
  'image_decode',
] as const;
export type JanusGraph = (typeof JANUS_GRAPHS)[number];
/** Graphs a folder may lack; the job that needs one refuses without it. */
export const OPTIONAL_GRAPHS = ['image_encode'] as const;
type OptionalGraph = (typeof OPTIONAL_GRAPHS)[number];

const REEXPORT = 'convert the checkpoint again with native-models (tessera_models.janus.export)';

/** Names each graph must take and give, beyond the KV cache (added from the manifest's kv). */
function requiredIo(
  m: ModelManifest,
  hidden: string,
): Record<JanusGraph | OptionalGraph, [string[], string[]]> {
  const kv = m.graphs.language_model!.kv!;
  const layers = Array.from({ length: kv.layers }, (_, i) => String(i));
  const past = layers.flatMap((i) => [kv.pastKey, kv.pastValue].map((n) => n.replace('{i}', i)));
  const present = layers.flatMap((i) =>
    [kv.presentKey, kv.presentValue].map((n) => n.replace('{i}', i)),
  );
  return {
    prepare_inputs_embeds: [
      ['input_ids', 'pixel_values', 'images_seq_mask', 'images_emb_mask'],
      ['inputs_embeds'],
    ],
    language_model: [
      ['inputs_embeds', 'attention_mask', 'position_ids', ...past],
      [hidden, ...present],
    ],
    lm_head: [[hidden], ['logits']],
    gen_head: [[hidden], ['logits']],
    gen_img_embeds: [['image_ids'], ['inputs_embeds']],
    image_decode: [['generated_tokens'], ['decoded_image']],
    image_encode: [['pixel_values'], ['image_ids']],
  };
}

/** Checks a graph's files against the manifest and opens it; onnxruntime reads the graph's
 * external weights itself, from beside the graph. */
async function openGraph(
  dir: string,
  g: ModelManifest['graphs'][string],
  options: { provider: Provider; threads: number },
): Promise<LoadedSession> {
  await readCheckedFile(dir, g.file, g.sha256);
  if (g.externalData !== undefined) {
    if (g.externalData.file !== `${g.file}_data`)
      throw new ModelLoadError(
        `${g.file} in ${dir} names its weights ${g.externalData.file}; they must sit beside it as ${g.file}_data: ${REEXPORT}`,
      );
    await checkLargeFile(dir, g.externalData.file, g.externalData);
  }
  return loadSession(join(dir, g.file), options);
}

export class JanusModel {
  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly layouts: JanusLayouts,
    readonly tokenizer: Tokenizer,
    readonly sessions: Record<JanusGraph, LoadedSession> &
      Partial<Record<OptionalGraph, LoadedSession>>,
    /** The language model's hidden-state output, which both heads read. */
    readonly hiddenName: string,
  ) {}

  static async load(
    dir: string,
    options: { provider: Provider; threads: number } = { provider: 'cpu', threads: 2 },
  ): Promise<JanusModel> {
    const manifest = await readManifest(dir);
    if (manifest.family !== 'janus-pro')
      throw new ModelLoadError(`${dir} holds a ${manifest.family} model, not janus-pro`);
    const layouts = parseJanusLayouts(manifest.layouts);
    if (!layouts.ok)
      throw new ModelLoadError(
        `${dir}'s manifest has no usable Janus layouts (${layouts.problem}): ${REEXPORT}`,
      );
    const grid = manifest.vq!.grid;
    const decodeIn = manifest.graphs.image_decode?.inputs[0]?.shape[1];
    if (
      layouts.value.codes !== grid * grid ||
      (typeof decodeIn === 'number' && decodeIn !== grid * grid)
    )
      throw new ModelLoadError(
        `${dir}'s manifest disagrees on the image grid (vq.grid ${grid}, ${layouts.value.codes} codes in the layout, image_decode takes ${decodeIn}): ${REEXPORT}`,
      );
    const lm = manifest.graphs.language_model;
    const hidden = manifest.graphs.lm_head?.inputs[0]?.name;
    if (lm?.kv === undefined || hidden === undefined)
      throw new ModelLoadError(
        `${dir}'s manifest lacks the language model's KV cache or head input: ${REEXPORT}`,
      );
    const tokenizerJson = await readCheckedFile(
      dir,
      manifest.tokenizer.file,
      manifest.tokenizer.sha256,
    );
    const tokenizer = new Tokenizer(JSON.parse(tokenizerJson.toString('utf8')) as object, {});
    const io = requiredIo(manifest, hidden);
    const sessions = {} as Record<JanusGraph, LoadedSession> &
      Partial<Record<OptionalGraph, LoadedSession>>;
    const roles = [...JANUS_GRAPHS, ...OPTIONAL_GRAPHS.filter((r) => r in manifest.graphs)];
    try {
      for (const role of roles) {
        const g = manifest.graphs[role]!;
        const loaded = await openGraph(dir, g, options);
        sessions[role] = loaded;
        const [inputs, outputs] = io[role];
        const missing = [
          ...inputs.filter((n) => !loaded.session.inputNames.includes(n)),
          ...outputs.filter((n) => !loaded.session.outputNames.includes(n)),
        ];
        if (missing.length > 0)
          throw new ModelLoadError(
            `${g.file} in ${dir} is not the ${role} graph a Janus model needs (it lacks ${missing.join(', ')}): ${REEXPORT}`,
          );
      }
    } catch (err) {
      await Promise.all(Object.values(sessions).map((s) => s!.session.release()));
      throw err;
    }
    return new JanusModel(dir, manifest, layouts.value, tokenizer, sessions, hidden);
  }

  get grid(): number {
    return this.manifest.vq!.grid;
  }

  get codebook(): number {
    return this.manifest.vq!.codebook;
  }

  /** Token ids of text, without the tokenizer's own special tokens. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  /** The generation prompt: <bos>, Janus's chat template around the prompt, <begin_of_image>. */
  promptIds(prompt: string): number[] {
    const sp = this.manifest.specialTokens;
    const text = this.layouts.generateTemplate.replace('{prompt}', prompt);
    const ids = [sp.bos, ...this.encode(text), sp.boi!];
    const most = this.manifest.tokenizer.maxTokens;
    if (ids.length > most)
      throw new RangeError(
        `the prompt is ${ids.length} tokens with Janus's template; ${this.manifest.id} reads at most ${most}: shorten it`,
      );
    return ids;
  }

  async release(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s!.session.release()));
  }
}
