/**
 * A loaded `jpeg-lm` model: its validated manifest, the word tokenizer and byte BPE as one
 * vocabulary, the JPEG codec built from the shipped tables and header, and one onnxruntime
 * session (the decoder). Every file is checked against its manifest hash, and the pieces
 * against each other, before the graph loads, so a broken folder is named, not mis-run.
 */
import { join } from 'node:path';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { createJpegCodec, type JpegCodec } from '../../../media/jpeg/index.ts';
import { CachedDecoder } from '../../engine/decoder.ts';
import { loadSession, type LoadedSession } from '../../engine/ort.ts';
import { WordTokenizer, type WordTokenizerFile } from '../../engine/tokenizers/word.ts';
import { readManifest } from '../manifest-file.ts';
import { readCheckedFile } from '../model-files.ts';
import { ModelLoadError, type LoadOptions } from '../types.ts';
import { JpegBpe } from './bpe.ts';
import { McuGrammar } from './grammar.ts';
import { JpegLmVocab } from './vocab.ts';

export type JpegBlock = NonNullable<ModelManifest['jpeg']>;

const REEXPORT = 're-export the model';

function parseJson(bytes: Buffer, file: string, dir: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ModelLoadError(`${file} in ${dir} is not valid JSON: ${REEXPORT}`);
  }
}

export class JpegLmModel {
  readonly grammar: McuGrammar;

  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly jpeg: JpegBlock,
    readonly vocab: JpegLmVocab,
    readonly codec: JpegCodec,
    readonly session: LoadedSession,
  ) {
    this.grammar = new McuGrammar(
      vocab,
      jpeg.mcus,
      jpeg.maxMcuTokens,
      manifest.graphs.decoder!.kv!.context,
      McuGrammar.entropyOf(vocab, codec),
    );
  }

  static async load(
    dir: string,
    options: LoadOptions = { provider: 'cpu', threads: 2 },
  ): Promise<JpegLmModel> {
    const manifest = await readManifest(dir);
    if (manifest.family !== 'jpeg-lm')
      throw new ModelLoadError(`${dir} holds a ${manifest.family} model, not jpeg-lm`);
    // The manifest schema requires both for jpeg-lm; named here in case that ever changes.
    const jpeg = manifest.jpeg;
    const graph = manifest.graphs.decoder;
    if (jpeg === undefined || graph?.kv === undefined)
      throw new ModelLoadError(`${dir}/manifest.json lacks its jpeg block or decoder: ${REEXPORT}`);

    const tokenizer = manifest.tokenizer;
    const wordsFile = parseJson(
      await readCheckedFile(dir, tokenizer.file, tokenizer.sha256),
      tokenizer.file,
      dir,
    ) as WordTokenizerFile;
    const bpeFile = parseJson(
      await readCheckedFile(dir, jpeg.bpe.file, jpeg.bpe.sha256),
      jpeg.bpe.file,
      dir,
    );
    let vocab: JpegLmVocab;
    try {
      vocab = new JpegLmVocab(
        WordTokenizer.fromJson(wordsFile),
        JpegBpe.fromJson(bpeFile),
        tokenizer.idRanges.text[0],
      );
    } catch (err) {
      throw new ModelLoadError(
        `the tokenizers in ${dir} cannot be used (${(err as Error).message}): ${REEXPORT}`,
      );
    }
    if (
      vocab.bpe.size !== jpeg.bpe.size ||
      vocab.jpegOffset !== jpeg.bpe.offset ||
      vocab.size !== tokenizer.vocabSize
    ) {
      throw new ModelLoadError(
        `${jpeg.bpe.file} and ${tokenizer.file} in ${dir} give ${vocab.bpe.size} JPEG tokens from id ${vocab.jpegOffset} (vocabulary ${vocab.size}), but the manifest says ${jpeg.bpe.size} from ${jpeg.bpe.offset} (vocabulary ${tokenizer.vocabSize}): ${REEXPORT}`,
      );
    }

    const tables = await readCheckedFile(dir, jpeg.tables.file, jpeg.tables.sha256);
    const header = await readCheckedFile(dir, jpeg.header.file, jpeg.header.sha256);
    let codec: JpegCodec;
    try {
      codec = createJpegCodec(new Uint8Array(tables), new Uint8Array(header));
    } catch (err) {
      throw new ModelLoadError(
        `${jpeg.tables.file} and ${jpeg.header.file} in ${dir} are not a usable JPEG recipe (${(err as Error).message}): ${REEXPORT}`,
      );
    }
    const { width, height } = manifest.image;
    if (
      codec.width !== width ||
      codec.height !== height ||
      codec.mcuCount !== jpeg.mcus ||
      codec.mcuColumns !== jpeg.mcusPerRow ||
      codec.restartInterval !== 1
    ) {
      throw new ModelLoadError(
        `${jpeg.header.file} in ${dir} describes a ${codec.width}×${codec.height} image of ${codec.mcuCount} MCUs with restart interval ${codec.restartInterval}, not the manifest's ${width}×${height} of ${jpeg.mcus} with interval 1: ${REEXPORT}`,
      );
    }

    await readCheckedFile(dir, graph.file, graph.sha256);
    const session = await loadSession(join(dir, graph.file), options);
    return new JpegLmModel(dir, manifest, jpeg, vocab, codec, session);
  }

  /** Caption ids of a prompt; an empty prompt is no caption at all (no style either). */
  promptIds(prompt: string, style: string | null): number[] {
    return prompt.trim() === '' ? [] : this.vocab.captionIds(prompt, style);
  }

  /** A fresh KV-cached decoder for `batch` rows (2 for a CFG pair). */
  decoder(batch: number): CachedDecoder {
    const graph = this.manifest.graphs.decoder!;
    return new CachedDecoder(this.session.session, graph.kv!, batch, this.vocab.size);
  }

  async release(): Promise<void> {
    await this.session.session.release();
  }
}
