/**
 * Which files of a hub repository a pull fetches. A repository Tessera runs carries a Tessera
 * manifest for each weight type it offers, beside its graphs in the published ONNX layout
 * (onnx/<graph>.onnx for fp32, onnx/<graph>_<dtype>.onnx for the others, as
 * @huggingface/transformers names them): `manifest.json` describes the fp32 graphs and
 * `manifest_<dtype>.json` the graphs of that dtype. A pull fetches one manifest, the files it
 * names and the licence and readme beside them, nothing else, so choosing q4 never fetches the
 * fp32 graphs.
 */
import type { ModelManifest } from '../../common/model-manifest.ts';
import { namedFiles } from '../import-model.ts';
import type { HubFile } from './hub.ts';
import { PullError } from './pull-error.ts';

const MANIFEST = /^manifest(?:_([a-z0-9]+))?\.json$/;
const GRAPH = /^onnx\/[A-Za-z0-9_]+?(?:_(fp16|q4f16|q4|int8|uint8|quantized|bnb4))?\.onnx$/;
const DOCUMENT = /^(licen[cs]e|copying|notice|readme)(\.(md|txt|rst))?$/i;
/** The import copies no larger licence or readme than this. */
const MAX_DOCUMENT_BYTES = 1024 ** 2;

export const DEFAULT_DTYPE = 'fp32';

/** The dtypes the repository has a Tessera manifest for, each with that manifest's path. */
export function manifestsByDtype(files: HubFile[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const f of files) {
    const m = MANIFEST.exec(f.path);
    if (m !== null) found.set(m[1] ?? DEFAULT_DTYPE, f.path);
  }
  return found;
}

/** The dtypes whose graphs sit under onnx/, as the published layout names them. */
export function publishedDtypes(files: HubFile[]): string[] {
  const dtypes = new Set<string>();
  for (const f of files) {
    const m = GRAPH.exec(f.path);
    if (m !== null) dtypes.add(m[1] ?? DEFAULT_DTYPE);
  }
  return [...dtypes].sort();
}

function unsupported(repo: string, files: HubFile[]): PullError {
  const shipped = publishedDtypes(files);
  if (shipped.length > 0)
    return new PullError(
      'unsupported',
      `${repo} ships ONNX graphs (${shipped.join(', ')}) but no Tessera manifest.json for them, so Tessera cannot check or run them yet: pull a repository that carries one, or convert the transformers checkpoint with \`tessera models convert janus-pro FOLDER\``,
    );
  if (files.some((f) => f.path.endsWith('.safetensors') || f.path.endsWith('.bin')))
    return new PullError(
      'unsupported',
      `${repo} is a PyTorch checkpoint, not a model folder Tessera runs: download it with the hub's own tools and convert it with \`tessera models convert janus-pro FOLDER\``,
    );
  return new PullError(
    'unsupported',
    `${repo} is not a model Tessera runs (no manifest.json and no ONNX graphs): choose a repository from the list of supported models`,
  );
}

/** The manifest to fetch for `dtype`, or a refusal that lists what the repository offers. */
export function chooseManifest(repo: string, files: HubFile[], dtype: string): HubFile {
  const manifests = manifestsByDtype(files);
  if (manifests.size === 0) throw unsupported(repo, files);
  const path = manifests.get(dtype);
  if (path === undefined)
    throw new PullError(
      'no-dtype',
      `${repo} has no ${dtype} weights Tessera can run: choose one of ${[...manifests.keys()].sort().join(', ')} (--dtype)`,
    );
  return files.find((f) => f.path === path)!;
}

/**
 * The files the manifest names and the documents beside it, each as the hub lists it. A
 * named file missing from the repository, or whose LFS sha256 is not the manifest's, means
 * the repository is inconsistent: nothing is fetched.
 */
export function filesToFetch(repo: string, files: HubFile[], manifest: ModelManifest): HubFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const needed: HubFile[] = [];
  for (const named of namedFiles(manifest)) {
    const listed = byPath.get(named.file);
    if (listed === undefined)
      throw new PullError(
        'unsupported',
        `${repo}'s manifest names ${named.file}, which the repository does not have: it is incomplete; choose another revision or tell its authors`,
      );
    if (listed.sha256 !== null && listed.sha256 !== named.sha256)
      throw new PullError(
        'unsupported',
        `${repo}'s manifest does not match its ${named.file} (another sha256): the repository is inconsistent; choose another revision or tell its authors`,
      );
    needed.push(listed);
  }
  for (const f of files) if (DOCUMENT.test(f.path) && f.size <= MAX_DOCUMENT_BYTES) needed.push(f);
  return needed;
}
