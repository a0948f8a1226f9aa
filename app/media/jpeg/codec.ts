/**
 * A codec: the tables stream and a header stream, parsed and checked to be the layout this
 * package encodes and decodes — baseline, 8-bit, three interleaved components Y, Cb, Cr with
 * 4:2:0 sampling (Y 2×2, Cb and Cr 1×1), so one MCU is 16×16 pixels in six 8×8 blocks (four Y
 * in row order, then Cb, then Cr), and a width and height that are multiples of 16.
 */
import { JpegFormatError, UnsupportedJpegError } from './errors.ts';
import {
  huffmanCodes,
  huffmanDecoder,
  type HuffmanCodes,
  type HuffmanDecoder,
  type HuffmanTable,
} from './huffman.ts';
import { parseJpegHeader } from './header.ts';
import { parseJpegTables } from './tables.ts';

/** MCU edge in pixels for 4:2:0. */
export const MCU_SIZE = 16;

export interface ComponentCoding {
  id: number;
  /** 64 quantizer steps, natural order. */
  quantization: Uint16Array;
  dcCodes: HuffmanCodes;
  acCodes: HuffmanCodes;
  dcDecoder: HuffmanDecoder;
  acDecoder: HuffmanDecoder;
}

export interface JpegCodec {
  width: number;
  height: number;
  mcuColumns: number;
  mcuRows: number;
  mcuCount: number;
  /** MCUs per restart interval; 0 means no restart markers. */
  restartInterval: number;
  /** Y, Cb, Cr. */
  components: readonly [ComponentCoding, ComponentCoding, ComponentCoding];
  /** The header stream, SOI through SOS. */
  headerBytes: Uint8Array;
  /** DQT and DHT segments of the tables stream, inserted after SOI when assembling a file. */
  tableSegments: Uint8Array;
}

/** Builds a codec from the bytes of a tables-only stream and of a header stream. */
export function createJpegCodec(tablesBin: Uint8Array, headerBin: Uint8Array): JpegCodec {
  const tables = parseJpegTables(tablesBin);
  const header = parseJpegHeader(headerBin);
  const { width, height, components, scan } = header;

  const sampling = components.map((c) => `${c.horizontalSampling}x${c.verticalSampling}`);
  if (components.length !== 3 || sampling.join(',') !== '2x2,1x1,1x1')
    throw new UnsupportedJpegError(
      `The frame has ${components.length} components sampled ${sampling.join(', ')}; only Y, Cb, Cr at 4:2:0 (2x2, 1x1, 1x1) is supported`,
    );
  if (width % MCU_SIZE !== 0 || height % MCU_SIZE !== 0)
    throw new UnsupportedJpegError(
      `The image is ${width}×${height}; only sides that are multiples of ${MCU_SIZE} are supported (no partial MCUs)`,
    );
  if (scan.length !== 3 || scan.some((s, i) => s.id !== components[i]!.id))
    throw new UnsupportedJpegError(
      `The scan codes components ${scan.map((s) => s.id).join(', ')}; only one interleaved scan of all three in frame order is supported`,
    );

  // A table the header defines replaces the tables stream's one, as it would in the file.
  const pick = <T>(own: (T | null)[], shared: (T | null)[], slot: number, what: string): T => {
    const table = own[slot] ?? shared[slot];
    if (!table) throw new JpegFormatError(`No ${what} table ${slot} is defined`);
    return table;
  };
  const coding = components.map((component, i): ComponentCoding => {
    const { dcTableSlot, acTableSlot } = scan[i]!;
    const q = component.quantizationSlot;
    const dc: HuffmanTable = pick(header.tables.dcHuffman, tables.dcHuffman, dcTableSlot, 'DC');
    const ac: HuffmanTable = pick(header.tables.acHuffman, tables.acHuffman, acTableSlot, 'AC');
    return {
      id: component.id,
      quantization: pick(header.tables.quantization, tables.quantization, q, 'quantization'),
      dcCodes: huffmanCodes(dc, `DC ${dcTableSlot}`),
      acCodes: huffmanCodes(ac, `AC ${acTableSlot}`),
      dcDecoder: huffmanDecoder(dc, `DC ${dcTableSlot}`),
      acDecoder: huffmanDecoder(ac, `AC ${acTableSlot}`),
    };
  });

  const mcuColumns = width / MCU_SIZE;
  const mcuRows = height / MCU_SIZE;
  return {
    width,
    height,
    mcuColumns,
    mcuRows,
    mcuCount: mcuColumns * mcuRows,
    restartInterval: header.restartInterval,
    components: [coding[0]!, coding[1]!, coding[2]!],
    headerBytes: header.bytes,
    tableSegments: tables.segmentBytes,
  };
}
