/**
 * What a model reads of a prompt, for the prompt box before anything runs: the model's own word
 * tokenizer (the file its manifest names, hash-checked) tells which words it knows and which
 * fall past its word budget. Tokenizers are kept per file hash: the box asks on every pause in
 * typing.
 */
import { createHash } from 'node:crypto';
import {
  WordTokenizer,
  type PromptCheck,
  type WordTokenizerFile,
} from '../inference/engine/tokenizers/word.ts';
import { ModelUnavailableError, resolveModel } from './installed.ts';
import { readModelFile } from './model-file.ts';

const loaded = new Map<string, Promise<WordTokenizer>>();

async function tokenizerOf(dir: string, file: string, sha256: string): Promise<WordTokenizer> {
  const key = `${dir}\0${file}\0${sha256}`;
  let tok = loaded.get(key);
  if (tok === undefined) {
    // Read here rather than through the families' loader, which the main bundle must not carry.
    tok = readModelFile(dir, file).then((bytes) => {
      if (createHash('sha256').update(bytes).digest('hex') !== sha256)
        throw new ModelUnavailableError(
          `${file} in ${dir} is damaged (its hash does not match the manifest): re-copy or re-export the model`,
        );
      return WordTokenizer.fromJson(JSON.parse(bytes.toString('utf8')) as WordTokenizerFile);
    });
    loaded.set(key, tok);
    // A damaged file is asked about again next time (it may have been re-copied).
    tok.catch(() => loaded.delete(key));
  }
  return tok;
}

export async function checkPrompt(
  home: string,
  request: { modelId: string; prompt: string; style: string | null },
): Promise<PromptCheck> {
  const model = await resolveModel(home, request.modelId);
  const t = model.manifest.tokenizer;
  if (t.kind !== 'word')
    throw new ModelUnavailableError(
      `${request.modelId} reads prompts with a ${t.kind} tokenizer, which the prompt check does not know`,
    );
  const style = request.style !== null && request.style in t.styles ? request.style : null;
  return (await tokenizerOf(model.dir, t.file, t.sha256)).check(request.prompt, style);
}
