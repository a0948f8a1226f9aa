/**
 * Images to the model's tokens and back, through the pure-TypeScript baseline codec: an RGB
 * image is encoded with the shipped recipe and split into MCUs, each tokenized with its
 * closing marker (native-models/…/reference_loop.py `mcu_tokens`); a body, whole or a prefix,
 * decodes with the tolerant decoder, which paints MCUs without valid data grey.
 */
import {
  assembleJpeg,
  decodeJpegBody,
  encodeJpegBody,
  splitMcuSegments,
} from '../../../media/jpeg/index.ts';
import type { JpegLmModel } from './model.ts';

/** RGB u8 [H, W, 3] -> M lists of model ids, each MCU's data then its marker. */
export function imageMcuTokens(model: JpegLmModel, rgb: Uint8Array): number[][] {
  const segments = splitMcuSegments(encodeJpegBody(rgb, model.codec));
  const mcus = model.jpeg.mcus;
  if (segments.length !== mcus)
    throw new Error(`the encoder wrote ${segments.length} MCU segments, expected ${mcus}`);
  return segments.map((segment, m) => {
    const marker = model.vocab.jpegBytes([model.grammar.marker(m)]);
    const bytes = new Uint8Array(segment.bytes.length + marker.length);
    bytes.set(segment.bytes);
    bytes.set(marker, segment.bytes.length);
    return model.vocab.jpegIds(bytes);
  });
}

export interface DecodedBody {
  /** RGB u8 [H, W, 3]; MCUs without valid data are (128, 128, 128). */
  rgb: Uint8Array;
  /** The body's bytes: entropy-coded MCUs, markers, EOI when complete. */
  body: Uint8Array;
  mcusDecoded: number;
  corruptMcus: number[];
}

/** Body tokens (model ids; a prefix is fine) -> pixels through the tolerant decoder. */
export function decodeBodyTokens(model: JpegLmModel, tokens: readonly number[]): DecodedBody {
  const body = model.vocab.jpegBytes(tokens);
  return { body, ...decodeJpegBody(body, model.codec) };
}

/** The ordinary .jpg file of a body: SOI, the shipped tables, the header, the body, EOI. */
export function jpegFile(model: JpegLmModel, body: Uint8Array): Uint8Array {
  return assembleJpeg(model.codec, body);
}
