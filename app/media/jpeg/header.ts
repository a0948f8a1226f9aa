/**
 * The per-size header stream: Pillow's streamtype=2 output from SOI up to and including SOS
 * (SOI, APP0 JFIF, SOF0, DRI, SOS). Parses the frame (size, components with sampling factors
 * and quantization slots), the restart interval and the scan's Huffman selectors; any DQT/DHT
 * in the header are read too. Non-baseline processes are rejected with UnsupportedJpegError.
 */
import { JpegFormatError, UnsupportedJpegError } from './errors.ts';
import {
  DHT,
  DQT,
  DRI,
  SOF0,
  SOS,
  isStartOfFrame,
  markerName,
  walkMarkerSegments,
} from './markers.ts';
import {
  emptyJpegTables,
  readHuffmanTables,
  readQuantizationTables,
  rejectUnsupportedMarker,
  type JpegTables,
} from './tables.ts';

export interface FrameComponent {
  /** Component identifier as SOF and SOS write it (Pillow: 1 = Y, 2 = Cb, 3 = Cr). */
  id: number;
  horizontalSampling: number;
  verticalSampling: number;
  quantizationSlot: number;
}

export interface ScanComponent {
  id: number;
  dcTableSlot: number;
  acTableSlot: number;
}

export interface ParsedJpegHeader {
  width: number;
  height: number;
  /** In frame order. */
  components: FrameComponent[];
  /** MCUs per restart interval (DRI); 0 when the header has no DRI. */
  restartInterval: number;
  /** In scan order. */
  scan: ScanComponent[];
  /** Tables the header itself defines, if any (Pillow's abbreviated header has none). */
  tables: JpegTables;
  /** The header bytes, SOI through the SOS segment. */
  bytes: Uint8Array;
}

const FRAME_KINDS: Record<number, string> = {
  0xc1: 'extended sequential (SOF1)',
  0xc2: 'progressive (SOF2)',
  0xc3: 'lossless (SOF3)',
  0xc5: 'differential sequential (SOF5)',
  0xc6: 'differential progressive (SOF6)',
  0xc7: 'differential lossless (SOF7)',
};

function describeFrame(code: number): string {
  if (code >= 0xc9) return `arithmetic-coded (${markerName(code)})`;
  return FRAME_KINDS[code] ?? markerName(code);
}

function readFrame(payload: Uint8Array): Pick<ParsedJpegHeader, 'width' | 'height' | 'components'> {
  if (payload.length < 6) throw new JpegFormatError('SOF0 segment is too short');
  const precision = payload[0]!;
  if (precision !== 8)
    throw new UnsupportedJpegError(
      `The frame has ${precision}-bit samples; only 8-bit samples (baseline) are supported`,
    );
  const height = (payload[1]! << 8) | payload[2]!;
  const width = (payload[3]! << 8) | payload[4]!;
  if (width === 0 || height === 0)
    throw new JpegFormatError(`The frame has a zero dimension (${width}×${height})`);
  const count = payload[5]!;
  if (payload.length !== 6 + 3 * count)
    throw new JpegFormatError(
      `SOF0 declares ${count} components but its length fits ${(payload.length - 6) / 3}`,
    );
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const at = 6 + 3 * i;
    const component = {
      id: payload[at]!,
      horizontalSampling: payload[at + 1]! >> 4,
      verticalSampling: payload[at + 1]! & 15,
      quantizationSlot: payload[at + 2]!,
    };
    if (components.some((c) => c.id === component.id))
      throw new JpegFormatError(`SOF0 lists component ${component.id} twice`);
    const { horizontalSampling: h, verticalSampling: v } = component;
    if (h < 1 || h > 4 || v < 1 || v > 4)
      throw new JpegFormatError(`Component ${component.id} has sampling factors ${h}×${v}`);
    if (component.quantizationSlot > 3)
      throw new JpegFormatError(
        `Component ${component.id} uses quantization table ${component.quantizationSlot}; slots are 0 to 3`,
      );
    components.push(component);
  }
  return { width, height, components };
}

function readScan(payload: Uint8Array): ScanComponent[] {
  const count = payload[0] ?? 0;
  if (count < 1 || payload.length !== 1 + 2 * count + 3)
    throw new JpegFormatError(`SOS segment length does not fit its ${count} components`);
  const scan: ScanComponent[] = [];
  for (let i = 0; i < count; i++) {
    const selectors = payload[2 + 2 * i]!;
    scan.push({
      id: payload[1 + 2 * i]!,
      dcTableSlot: selectors >> 4,
      acTableSlot: selectors & 15,
    });
  }
  const at = 1 + 2 * count;
  const [start, end, approximation] = [payload[at]!, payload[at + 1]!, payload[at + 2]!];
  if (start !== 0 || end !== 63 || approximation !== 0)
    throw new UnsupportedJpegError(
      `The scan covers coefficients ${start}..${end} with successive approximation ${approximation}; only a baseline scan (0..63, none) is supported`,
    );
  return scan;
}

export function parseJpegHeader(bytes: Uint8Array): ParsedJpegHeader {
  const walk = walkMarkerSegments(bytes, 'JPEG header');
  if (walk.stoppedAt !== 'SOS')
    throw new JpegFormatError('The JPEG header reaches EOI without an SOS segment');
  if (walk.end !== bytes.length)
    throw new JpegFormatError(
      `The JPEG header continues ${bytes.length - walk.end} bytes past its SOS segment; pass only SOI through SOS`,
    );
  const tables = emptyJpegTables();
  let frame: Pick<ParsedJpegHeader, 'width' | 'height' | 'components'> | null = null;
  let restartInterval = 0;
  let scan: ScanComponent[] = [];
  for (const segment of walk.segments) {
    rejectUnsupportedMarker(segment, 'JPEG header');
    if (segment.code === SOF0) {
      if (frame) throw new JpegFormatError('The JPEG header has two SOF segments');
      frame = readFrame(segment.payload);
    } else if (isStartOfFrame(segment.code)) {
      throw new UnsupportedJpegError(
        `The JPEG header starts a ${describeFrame(segment.code)} frame; only baseline (SOF0) is supported`,
      );
    } else if (segment.code === DRI) {
      if (segment.payload.length !== 2) throw new JpegFormatError('DRI segment is not 2 bytes');
      restartInterval = (segment.payload[0]! << 8) | segment.payload[1]!;
    } else if (segment.code === DQT) {
      readQuantizationTables(segment.payload, tables);
    } else if (segment.code === DHT) {
      readHuffmanTables(segment.payload, tables);
    } else if (segment.code === SOS) {
      if (!frame) throw new JpegFormatError('The JPEG header has SOS before any SOF0 frame');
      scan = readScan(segment.payload);
    }
  }
  if (!frame) throw new JpegFormatError('The JPEG header has no SOF0 frame');
  return { ...frame, restartInterval, scan, tables, bytes };
}
