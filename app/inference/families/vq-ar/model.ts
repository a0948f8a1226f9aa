/**
 * A loaded `vq-ar` model: its validated manifest, word tokenizer and three onnxruntime
 * sessions (decoder, vq_encode, vq_decode). Graph files are checked against their manifest
 * hashes before loading, so a corrupt or swapped file is named instead of mis-running.
 */
import { join } from 'node:path';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { CachedDecoder } from '../../engine/decoder.ts';
import { loadSession, type LoadedSession, type Provider } from '../../engine/ort.ts';
import { WordTokenizer, type WordTokenizerFile } from '../../engine/tokenizers/word.ts';
import { readManifest } from '../manifest-file.ts';
import { readCheckedFile } from '../model-files.ts';
import { ModelLoadError } from '../types.ts';
import { slotCaption } from './caption-slot.ts';
import { RetrievalMemory, type MemoryDocument } from './memory.ts';

export { ModelLoadError };

export interface VqArSessions {
  decoder: LoadedSession;
  encoder: LoadedSession;
  vqDecoder: LoadedSession;
}

export class VqArModel {
  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly words: WordTokenizer,
    readonly sessions: VqArSessions,
    /** The retrieval memory, for models that declare retrieval. */
    readonly memory: RetrievalMemory | null,
  ) {}

  static async load(
    dir: string,
    options: { provider: Provider; threads: number } = { provider: 'cpu', threads: 2 },
  ): Promise<VqArModel> {
    const manifest = await readManifest(dir);
    if (manifest.family !== 'vq-ar') {
      throw new ModelLoadError(`${dir} holds a ${manifest.family} model, not vq-ar`);
    }
    const check = async (file: string, sha256: string): Promise<string> => {
      await readCheckedFile(dir, file, sha256);
      return join(dir, file);
    };
    const words = WordTokenizer.fromJson(
      JSON.parse(
        (await readCheckedFile(dir, manifest.tokenizer.file, manifest.tokenizer.sha256)).toString(
          'utf8',
        ),
      ) as WordTokenizerFile,
    );
    const graph = async (role: string) => {
      const g = manifest.graphs[role]!;
      return loadSession(await check(g.file, g.sha256), options);
    };
    const sessions = {
      decoder: await graph('decoder'),
      encoder: await graph('vq_encode'),
      vqDecoder: await graph('vq_decode'),
    };
    const r = manifest.retrieval;
    const memory =
      r === undefined
        ? null
        : RetrievalMemory.fromFiles(
            manifest,
            words,
            (await readCheckedFile(dir, r.memory.file, r.memory.sha256)).toString('utf8'),
            await readCheckedFile(dir, r.codes.file, r.codes.sha256),
          );
    return new VqArModel(dir, manifest, words, sessions, memory);
  }

  get grid(): number {
    return this.manifest.vq!.grid;
  }

  get imageRange(): [number, number] {
    return this.manifest.tokenizer.idRanges.image!;
  }

  /** Model ids of a prompt: word ids shifted into the text range. */
  promptIds(prompt: string, style: string | null): number[] {
    const offset = this.manifest.tokenizer.idRanges.text[0];
    return this.words.encode(prompt, style).map((i) => i + offset);
  }

  /**
   * A prompt caption (or its unconditional row) as it stands in a layout: left-padded with the
   * pad token to the manifest's caption slot, unchanged for models without one.
   */
  slotted(ids: readonly number[]): number[] {
    const m = this.manifest;
    return slotCaption(ids, m.tokenizer.captionSlot, m.specialTokens.pad);
  }

  /**
   * The document a generation is given: retrieved for the prompt (`auto`), none (`off`, or a
   * model without memory), or a recorded one (a replay). A recorded document the memory lacks
   * is a RangeError that says so.
   */
  document(
    prompt: string,
    retrieval: 'auto' | 'off' | { document: number },
  ): MemoryDocument | null {
    if (retrieval === 'off' || this.memory === null) {
      if (typeof retrieval === 'object') {
        throw new RangeError(`${this.manifest.id} has no retrieval memory to take a document from`);
      }
      return null;
    }
    return retrieval === 'auto'
      ? this.memory.retrieve(prompt)
      : this.memory.document(retrieval.document);
  }

  /** A document's tokens as they are prepended: slotted caption with its style, image, two breaks. */
  documentIds(doc: MemoryDocument | null): number[] {
    if (doc === null || this.memory === null) return [];
    const sp = this.manifest.specialTokens;
    const lo = this.imageRange[0];
    return [
      ...this.slotted(this.promptIds(doc.caption, doc.set)),
      sp.break!,
      ...this.memory.documentCodes(doc.index).map((c) => c + lo),
      sp.break!,
    ];
  }

  /** A fresh KV-cached decoder for `batch` rows (2 for a CFG pair). */
  decoder(batch: number): CachedDecoder {
    const m = this.manifest;
    return new CachedDecoder(
      this.sessions.decoder.session,
      m.graphs.decoder!.kv!,
      batch,
      m.tokenizer.vocabSize,
    );
  }

  async release(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s: LoadedSession) => s.session.release()));
  }
}
