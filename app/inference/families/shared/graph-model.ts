/**
 * What a family whose model is several graphs around one cached decoder (jetformer,
 * transfusion) does at load and around its decoder: the word tokenizer and each role's graph
 * read against their manifest hashes, every graph's inputs and outputs checked against the names
 * the loop feeds and reads, the cache's names per layer, an empty cache, the text embedding.
 */
import { join } from 'node:path';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import {
  float32Tensor,
  floatData,
  int64Tensor,
  loadSession,
  run,
  type LoadedSession,
  type SessionOptions,
  type Tensor,
} from '../../engine/ort.ts';
import { WordTokenizer, type WordTokenizerFile } from '../../engine/tokenizers/word.ts';
import { readCheckedFile } from '../model-files.ts';
import { ModelLoadError } from '../types.ts';

export async function readWords(dir: string, manifest: ModelManifest): Promise<WordTokenizer> {
  const file = await readCheckedFile(dir, manifest.tokenizer.file, manifest.tokenizer.sha256);
  return WordTokenizer.fromJson(JSON.parse(file.toString('utf8')) as WordTokenizerFile);
}

/** Every role's graph, hash-checked and loaded; `reexport` says how to make a sound one. */
export async function loadGraphs<R extends string>(
  dir: string,
  manifest: ModelManifest,
  roles: readonly R[],
  options: SessionOptions,
  reexport: string,
): Promise<Record<R, LoadedSession>> {
  const sessions = {} as Record<R, LoadedSession>;
  for (const role of roles) {
    const g = manifest.graphs[role];
    if (g === undefined)
      throw new ModelLoadError(`${dir} has no "${role}" graph in its manifest: ${reexport}`);
    await readCheckedFile(dir, g.file, g.sha256);
    sessions[role] = await loadSession(join(dir, g.file), options);
  }
  return sessions;
}

/** Each graph reads and writes the tensors the loop uses ([inputs, outputs] per role). */
export function checkGraphNames<R extends string>(
  dir: string,
  manifest: ModelManifest,
  sessions: Record<R, LoadedSession>,
  want: Record<R, [string[], string[]]>,
  reexport: string,
): void {
  for (const role of Object.keys(want) as R[]) {
    const s = sessions[role].session;
    const [ins, outs] = want[role];
    const missing = [
      ...ins.filter((n) => !s.inputNames.includes(n)),
      ...outs.filter((n) => !s.outputNames.includes(n)),
    ];
    if (missing.length > 0)
      throw new ModelLoadError(
        `${manifest.graphs[role]!.file} in ${dir} is not a ${manifest.family} ${role} graph ` +
          `(it lacks ${missing.join(', ')}): ${reexport}`,
      );
  }
}

/** The decoder's cache inputs and outputs, layer by layer (key, value). */
export function cacheNames(manifest: ModelManifest): { past: string[]; present: string[] } {
  const kv = manifest.graphs.decoder!.kv!;
  const perLayer = (key: string, value: string) =>
    Array.from({ length: kv.layers }, (_, i) => [
      key.replace('{i}', String(i)),
      value.replace('{i}', String(i)),
    ]).flat();
  return {
    past: perLayer(kv.pastKey, kv.pastValue),
    present: perLayer(kv.presentKey, kv.presentValue),
  };
}

/** Past keys and values of no tokens yet, [rows, heads, 0, headDim] per cache input. */
export function emptyCache(manifest: ModelManifest, rows: number): Tensor[] {
  const kv = manifest.graphs.decoder!.kv!;
  return Array.from({ length: 2 * kv.layers }, () =>
    float32Tensor(new Float32Array(0), [rows, kv.kvHeads, 0, kv.headDim]),
  );
}

/** Model ids of a prompt's caption (style token first); none for an empty prompt. */
export function captionIds(
  manifest: ModelManifest,
  words: WordTokenizer,
  prompt: string,
  style: string | null,
): number[] {
  if (prompt.trim() === '') return [];
  const offset = manifest.tokenizer.idRanges.text[0];
  return words.encode(prompt, style).map((i) => i + offset);
}

/** The embed_text graph on equal-length rows of ids: [rows·seq·D]. */
export async function embedText(session: LoadedSession, ids: number[][]): Promise<Float32Array> {
  const out = await run(session.session, {
    input_ids: int64Tensor(ids.flat(), [ids.length, ids[0]!.length]),
  });
  return floatData(out.inputs_embeds!);
}
