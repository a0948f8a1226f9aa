/**
 * The tiny random Janus-Pro checkpoint in the transformers format (config.json with
 * model_type "janus", safetensors weights, tokenizer), built by native-models' tiny.py into
 * native-models/.cache on first use and rebuilt when its sources change.
 */
import { join } from 'node:path';
import {
  NATIVE,
  pythonBuiltModel,
} from '../../../inference/families/shared/testing/python-built-model.ts';

export function tinyJanusCheckpoint(): string {
  return pythonBuiltModel({
    name: 'janus-pro-tiny-checkpoint',
    usedBy: 'the models convert tests',
    script: join(import.meta.dirname, 'build-tiny-checkpoint.py'),
    packages: ['janus', 'common'],
    alsoHashed: [join(NATIVE, 'requirements.lock')],
    marker: 'config.json',
    stderr: 'pipe',
  });
}
