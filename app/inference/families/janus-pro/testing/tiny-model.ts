/**
 * The tiny Janus-Pro folder the tests run against: a random JanusForConditionalGeneration
 * built and converted by native-models' own code (build-tiny.py) into native-models/.cache on
 * first use — about 5 MB of graphs, too big to commit — and rebuilt whenever the converter's
 * sources or the common ones it uses change (a stamp of their hashes sits beside it).
 * reference.json holds transformers' own greedy generations from the same checkpoint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE, pythonBuiltModel } from '../../shared/testing/python-built-model.ts';

export interface JanusReference {
  images: { prompt: string; ids: number[]; guidance: number; codes: number[] }[];
  caption: { ids: number[]; tokens: number[]; maxTokens: number };
  score: { texts: string[]; ids: number[][]; logProbs: number[] };
  infill: {
    prompt: string;
    ids: number[];
    guidance: number;
    /** The source picture, RGB bytes at the manifest size, base64. */
    pictureRgb: string;
    /** The mask: [top, left, bottom, right) as fractions of the picture's side. */
    box: [number, number, number, number];
    sourceCodes: number[];
    cells: number[];
    codes: number[];
  };
  /** A variant's own greedy generations, by onnxruntime's Python chain over its graphs. */
  onnx?: { codes: number[][]; caption: number[] };
}

/** The same checkpoint converted otherwise (build-tiny.py): q4, int8, or with external data. */
export type JanusVariant = 'q4' | 'int8' | 'external';

export function tinyJanusVariantDir(variant: JanusVariant): string {
  return join(tinyJanusDir(), 'variants', variant);
}

export function tinyJanusDir(): string {
  return pythonBuiltModel({
    name: 'janus-pro-tiny',
    usedBy: 'the janus-pro tests',
    script: join(import.meta.dirname, 'build-tiny.py'),
    packages: ['janus', 'common'],
    alsoHashed: [join(NATIVE, 'requirements.lock')],
    marker: 'reference.json',
    stderr: 'pipe', // its warnings are noise; a failure carries them
  });
}

export function tinyJanusReference(dir: string): JanusReference {
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as JanusReference;
}

/** The synthetic picture tessera_models.janus.reference.pattern_image draws, RGB [size, size, 3]. */
export function patternImage(size: number): Uint8Array {
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const p = (y * size + x) * 3;
      rgb[p] = Math.floor((x * 255) / (size - 1));
      rgb[p + 1] = Math.floor((y * 255) / (size - 1));
      rgb[p + 2] = Math.abs(x - y) < Math.floor(size / 8) ? 230 : 40;
    }
  return rgb;
}

/** The pixel mask [size²] of a [top, left, bottom, right) box given as fractions of the side. */
export function boxMask(box: readonly number[], size: number): Uint8Array {
  const [top, left, bottom, right] = box.map((f) => Math.round(f * size)) as [
    number,
    number,
    number,
    number,
  ];
  const mask = new Uint8Array(size * size);
  for (let y = top; y < bottom; y++) mask.fill(1, y * size + left, y * size + right);
  return mask;
}
