/**
 * The tiny Janus-Pro model laid out as a hub repository Tessera runs: its converted folder
 * (graphs under onnx/, config and tokenizer files, manifest.json for the fp32 graphs), a
 * licence, and a q4 variant as the published layout names it (onnx/<graph>_q4.onnx with
 * manifest_q4.json). The q4 graphs are the fp32 graphs under the variant's names: only which
 * files a pull chooses is tested with them.
 */
import { copyFileSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tinyJanusDir } from '../../../inference/families/janus-pro/testing/tiny-model.ts';

export function writePublishedRepo(dir: string): void {
  cpSync(tinyJanusDir(), dir, { recursive: true });
  writeFileSync(join(dir, 'LICENSE'), 'MIT License\n\nRandom weights for tests.\n');
  for (const graph of readdirSync(join(dir, 'onnx')))
    copyFileSync(join(dir, 'onnx', graph), join(dir, 'onnx', graph.replace('.onnx', '_q4.onnx')));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    id: string;
    graphs: Record<string, { file: string }>;
  };
  manifest.id = `${manifest.id}-q4`;
  for (const g of Object.values(manifest.graphs)) g.file = g.file.replace('.onnx', '_q4.onnx');
  writeFileSync(join(dir, 'manifest_q4.json'), JSON.stringify(manifest, null, 1));
}
