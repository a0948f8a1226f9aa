/**
 * The recipe another tool left in an image it generated, as far as the file says it:
 * AUTOMATIC1111 (and the tools that copy it) writes a `parameters` infotext, in a PNG text chunk
 * or, in JPEG and WebP files, in EXIF UserComment; ComfyUI writes its prompt graph (`prompt`)
 * and the editor's whole workflow (`workflow`) as PNG text chunks. Settings are named in
 * AUTOMATIC1111's words whichever tool wrote them, so filters and display need one vocabulary.
 */
import exifr from 'exifr';
import { parseInfotext } from '../common/recipe.ts';
import type { ForeignTool } from '../gallery/index.ts';
import { findWebpChunk } from '../media/embed-xmp.ts';
import { readPngText } from '../media/png.ts';

export interface ForeignRecipe {
  tool: ForeignTool;
  prompt: string;
  negativePrompt: string;
  /** Steps, Sampler, Schedule type, CFG scale, Seed, Model, … as the file gives them. */
  settings: Record<string, string>;
  /** The AUTOMATIC1111 infotext, verbatim ('' for ComfyUI). */
  infotext: string;
  /** ComfyUI: the prompt graph and the workflow, verbatim. */
  promptGraph: string | null;
  workflow: string | null;
}

/** The recipe in a PNG, JPEG or WebP file, or null if it carries none this reader knows. */
export async function readForeignRecipe(
  bytes: Uint8Array,
  mime: string,
): Promise<ForeignRecipe | null> {
  if (mime === 'image/png') {
    let texts: Record<string, string>;
    try {
      texts = readPngText(bytes);
    } catch {
      return null; // unreadable text chunks: the pixels may still be fine
    }
    if (texts.parameters !== undefined) return fromInfotext(texts.parameters);
    if (texts.prompt !== undefined) return fromComfyUi(texts.prompt, texts.workflow ?? null);
    return null;
  }
  if (mime === 'image/jpeg' || mime === 'image/webp') {
    const comment = await userComment(bytes, mime);
    return comment === null ? null : fromInfotext(comment, true);
  }
  return null;
}

/**
 * A recipe from an infotext. `needsSettings`: cameras and editors write UserComment too, so
 * there a text counts as a recipe only with the settings line a generator writes.
 */
function fromInfotext(infotext: string, needsSettings = false): ForeignRecipe | null {
  const info = parseInfotext(infotext);
  const generated = ['Steps', 'Sampler', 'Seed'].some((k) => info.settings[k] !== undefined);
  if (needsSettings && !generated) return null;
  if (info.prompt === '' && Object.keys(info.settings).length === 0) return null;
  return {
    tool: 'automatic1111',
    prompt: info.prompt,
    negativePrompt: info.negative,
    settings: info.settings,
    infotext,
    promptGraph: null,
    workflow: null,
  };
}

// ---------------------------------------------------------------------------------------------
// EXIF UserComment (JPEG, WebP)

/**
 * EXIF UserComment as text. Its first 8 bytes name the encoding: "UNICODE\0" is UTF-16 (which
 * AUTOMATIC1111 writes big-endian, as piexif does; the byte order is told from the text itself),
 * "ASCII\0\0\0" and an undefined (all-zero) code are read as UTF-8.
 */
async function userComment(bytes: Uint8Array, mime: string): Promise<string | null> {
  let source: Uint8Array | null = bytes;
  if (mime === 'image/webp') {
    // exifr does not read WebP: hand it the EXIF chunk, a TIFF structure after "Exif\0\0".
    const chunk = findWebpChunk(bytes, 'EXIF');
    const exifHeader = chunk !== null && Buffer.from(chunk).toString('latin1', 0, 6) === 'Exif\0\0';
    source = chunk === null ? null : exifHeader ? chunk.subarray(6) : chunk;
  }
  if (source === null || source.length === 0) return null;
  let raw: unknown;
  try {
    const out = (await exifr.parse(source, {
      userComment: true,
      tiff: true,
      exif: true,
      mergeOutput: true,
    })) as { userComment?: unknown } | undefined;
    raw = out?.userComment;
  } catch {
    return null;
  }
  if (!(raw instanceof Uint8Array) || raw.length <= 8) return null;
  const code = Buffer.from(raw.subarray(0, 8)).toString('latin1');
  const body = Buffer.from(raw.subarray(8));
  let text: string;
  if (code === 'UNICODE\0') {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < body.length; i += 2) {
      if (body[i] === 0) evenZeros++;
      if (body[i + 1] === 0) oddZeros++;
    }
    text = new TextDecoder(evenZeros >= oddZeros ? 'utf-16be' : 'utf-16le').decode(body);
  } else if (code === 'ASCII\0\0\0' || code === '\0\0\0\0\0\0\0\0') {
    text = body.toString('utf8');
  } else {
    return null; // JIS, or not a UserComment at all
  }
  text = text.replace(/\0+$/, '');
  return text.trim() === '' ? null : text;
}

// ---------------------------------------------------------------------------------------------
// ComfyUI prompt graphs

type GraphNode = { class_type?: unknown; inputs?: Record<string, unknown> };
type Graph = Record<string, GraphNode>;

/** An input that links to another node's output: [node id, output index]. */
function linkedNode(graph: Graph, value: unknown): [string, GraphNode] | null {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'number') return null;
  const id = String(value[0]);
  const node = graph[id];
  return node === undefined ? null : [id, node];
}

const isSampler = (node: GraphNode) =>
  node.inputs !== undefined && ['sampler_name', 'steps', 'cfg'].every((k) => k in node.inputs!);

/**
 * The prompt texts reached from a conditioning input: each branch stops at the first node with
 * text of its own (CLIPTextEncode and its kin); the text encoder's CLIP input is not followed.
 */
function promptsFrom(graph: Graph, start: unknown, keys: readonly string[]): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (value: unknown) => {
    const linked = linkedNode(graph, value);
    if (linked === null || seen.has(linked[0])) return;
    seen.add(linked[0]);
    const inputs = linked[1].inputs ?? {};
    const texts = keys.map((k) => inputs[k]).filter((t): t is string => typeof t === 'string');
    if (texts.length > 0) {
      for (const t of texts) if (!found.includes(t.trim())) found.push(t.trim());
      return;
    }
    for (const [name, input] of Object.entries(inputs)) if (name !== 'clip') visit(input);
  };
  visit(start);
  return found;
}

/** The checkpoint a sampler's model input comes from, through any LoRA or patch nodes. */
function modelFrom(graph: Graph, start: unknown): string | null {
  const seen = new Set<string>();
  for (let value = start; ;) {
    const linked = linkedNode(graph, value);
    if (linked === null || seen.has(linked[0])) return null;
    seen.add(linked[0]);
    const inputs = linked[1].inputs ?? {};
    for (const key of ['ckpt_name', 'unet_name', 'model_name'])
      if (typeof inputs[key] === 'string') return inputs[key];
    value = inputs.model;
  }
}

const scalar = (v: unknown) =>
  typeof v === 'number' || typeof v === 'string' ? String(v) : undefined;

function fromComfyUi(promptText: string, workflow: string | null): ForeignRecipe | null {
  let graph: Graph;
  try {
    const parsed: unknown = JSON.parse(promptText);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    graph = parsed as Graph;
  } catch {
    return null;
  }
  // The first sampler in the graph's order, as ComfyUI saved it (a hires pass comes later).
  const sampler = Object.values(graph).find((n) => n !== null && isSampler(n));
  if (sampler === undefined) return null;
  const inputs = sampler.inputs!;
  const settings: Record<string, string> = {};
  const set = (key: string, value: unknown) => {
    const text = scalar(value);
    if (text !== undefined) settings[key] = text;
  };
  set('Steps', inputs.steps);
  set('Sampler', inputs.sampler_name);
  set('Schedule type', inputs.scheduler);
  set('CFG scale', inputs.cfg);
  set('Seed', inputs.seed ?? inputs.noise_seed);
  set('Denoising strength', inputs.denoise);
  const model = modelFrom(graph, inputs.model);
  if (model !== null) settings.Model = model;
  return {
    tool: 'comfyui',
    prompt: promptsFrom(graph, inputs.positive, ['text', 'positive']).join(', '),
    negativePrompt: promptsFrom(graph, inputs.negative, ['text', 'negative']).join(', '),
    settings,
    infotext: '',
    promptGraph: promptText,
    workflow,
  };
}
