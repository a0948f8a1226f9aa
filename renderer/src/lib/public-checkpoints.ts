/**
 * The public checkpoints the "Add a model" dialog lists: where each comes from, its licence,
 * what it does in Tessera, its download size per dtype and the memory it needs, and which
 * execution providers make it fast. Pure.
 *
 * Sizes are computed here from each model's published configuration (parameter counts times
 * bytes per weight), and said to be estimates; where the hub's file pages give a figure (the
 * Janus-Pro-1B ONNX language model's files) it is quoted as such, and a test holds the
 * computation to it.
 */
import type { Provider } from '../../../app/common/inference-contract.ts';

export type Dtype = 'fp32' | 'fp16' | 'q4' | 'q4f16';

/** The language model's shape, from the checkpoint's config.json (`language_config`). */
export interface LanguageShape {
  hidden: number;
  layers: number;
  intermediate: number;
  vocab: number;
  kvHeads: number;
  headDim: number;
}

export interface PublicCheckpoint {
  name: string;
  /** Where to get it: a repository to pull, or a checkpoint to convert. */
  repo: string;
  how: 'pull' | 'convert';
  licence: string;
  does: string[];
  language: LanguageShape;
  /** Parameters outside the language model (vision encoder, VQ decoder, heads), approximate. */
  otherParams: number;
  /** Sizes the hub's file pages state, quoted beside the estimates. */
  hubFigures: string[];
  note: string;
  fastOn: Provider[];
}

/** Janus-Pro's SigLIP-L/16 encoder (~0.30 B), LlamaGen VQ decoder (~0.04 B), aligners and gen head. */
const JANUS_OTHER_PARAMS = 0.3e9 + 0.04e9 + 0.05e9;

export const PUBLIC_CHECKPOINTS: PublicCheckpoint[] = [
  {
    name: 'Janus-Pro-1B',
    repo: 'onnx-community/Janus-Pro-1B-ONNX',
    how: 'pull',
    licence: 'MIT (the ONNX repository); the original weights are under the DeepSeek Model License',
    does: ['Generate 384×384 images', 'Caption photos'],
    language: {
      hidden: 2048,
      layers: 24,
      intermediate: 5632,
      vocab: 102400,
      kvHeads: 16,
      headDim: 128,
    },
    otherParams: JANUS_OTHER_PARAMS,
    hubFigures: [
      'language model, fp32: 4.94 GB (onnx/language_model.onnx_data)',
      'language model, q4: 780 MB; q4f16: 698 MB',
    ],
    note: 'This repository has no Tessera manifest yet, so a pull is refused until it carries one; converting the transformers checkpoint works today (tessera models convert janus-pro).',
    fastOn: ['cuda', 'dml', 'coreml', 'webgpu'],
  },
  {
    name: 'Janus-Pro-7B',
    repo: 'deepseek-ai/Janus-Pro-7B',
    how: 'convert',
    licence: 'DeepSeek Model License (code: MIT)',
    does: ['Generate 384×384 images', 'Caption photos'],
    language: {
      hidden: 4096,
      layers: 30,
      intermediate: 11008,
      vocab: 102400,
      kvHeads: 32,
      headDim: 128,
    },
    otherParams: JANUS_OTHER_PARAMS,
    hubFigures: [],
    note: 'No ONNX edition is published: convert its transformers checkpoint with `tessera models convert janus-pro FOLDER`.',
    fastOn: ['cuda', 'dml', 'coreml'],
  },
];

/** Weights of the language model's decoder layers (attention and MLP, norms left out). */
export function layerParams(l: LanguageShape): number {
  const attention = 2 * l.hidden * l.hidden + 2 * l.hidden * l.kvHeads * l.headDim;
  const mlp = 3 * l.hidden * l.intermediate;
  return l.layers * (attention + mlp);
}

/** Every weight: the layers, the token embedding and the output head, and the rest. */
export function totalParams(c: PublicCheckpoint): number {
  return layerParams(c.language) + 2 * c.language.vocab * c.language.hidden + c.otherParams;
}

/**
 * Bytes per weight: q4 stores 4-bit weights with one scale per 32 (about 4.5 bits) for the
 * language model's matrices and keeps the rest in fp32 (q4) or fp16 (q4f16).
 */
export function estimatedBytes(c: PublicCheckpoint, dtype: Dtype): number {
  const layers = layerParams(c.language);
  const rest = totalParams(c) - layers;
  if (dtype === 'fp32') return 4 * (layers + rest);
  if (dtype === 'fp16') return 2 * (layers + rest);
  return (4.5 / 8) * layers + (dtype === 'q4' ? 4 : 2) * rest;
}

/**
 * Memory to run it: the weights, the key/value cache of a guided image (two rows of a
 * ~100-token prompt and 576 codes, in fp32), and about 1 GB for activations and the runtime.
 */
export function estimatedMemory(c: PublicCheckpoint, dtype: Dtype): number {
  const l = c.language;
  const kv = 2 * (100 + 576) * l.layers * 2 * l.kvHeads * l.headDim * 4;
  return estimatedBytes(c, dtype) + kv + 1024 ** 3;
}

/** The fast providers this computer's onnxruntime offers, and whether only the CPU is left. */
export function fastProvidersHere(
  c: PublicCheckpoint,
  available: readonly string[],
): { fast: Provider[]; cpuOnly: boolean } {
  const fast = c.fastOn.filter((p) => available.includes(p));
  return { fast, cpuOnly: fast.length === 0 };
}
