/**
 * The XMP packet an exported file carries. A file with no packet of its own gets Tessera's; a
 * file that has one keeps it, with only the properties Tessera owns changed: everything else
 * its owner or another tool wrote (creator, rights, keywords, rating, credit, GPS, a pointer to
 * Extended XMP, unknown namespaces) stays byte for byte.
 *
 * The exported file must not contradict itself: a caption the owner wrote anywhere in the file
 * (XMP, EXIF, IPTC or a PNG `Description`) is never written over nor contradicted by another
 * caption in the XMP, and keywords and rating are added only where the file has none.
 */
import exifr from 'exifr';
import type { ItemDetail } from '../gallery/index.ts';
import { extractXmp } from '../media/embed-xmp.ts';
import { exifrSafeCopy, isMeaningfulCaption, readPhotoMetadata } from '../media/photo-metadata.ts';
import {
  addXmpBag,
  DIGITAL_SOURCE_TYPE,
  EMPTY_XMP_PACKET,
  hasXmpProperty,
  NS,
  parseXmp,
  removeXmpCaption,
  setXmpProperty,
  writeXmpCaption,
} from '../media/xmp.ts';

/** What Tessera has to say about an item, before looking at the file. */
interface TesseraFields {
  caption: string;
  /** The model that wrote the caption, or null when a person did (or it is the prompt). */
  captionModel: string | null;
  /** The caption is one the user typed into Tessera: the owner's newest words. */
  captionByUser: boolean;
  tags: string[];
  rating: number | null;
  /** Only for generations: Tessera made the image, so these are Tessera's to set. */
  creatorTool: string | null;
  digitalSourceType: string | null;
}

function fieldsOf(item: ItemDetail): TesseraFields {
  const current = item.captions.find((c) => c.role === 'current');
  const recipe = item.generation?.recipe;
  const derived = recipe?.task === 'infill';
  const generated = recipe !== undefined || item.foreign !== null;
  return {
    caption: current?.text ?? recipe?.prompt ?? (item.foreign?.prompt || item.title),
    captionModel: current?.source === 'model' ? current.modelId : null,
    captionByUser: current?.source === 'user',
    tags: item.tags,
    rating: item.rating > 0 ? item.rating : null,
    creatorTool: recipe === undefined ? null : `Tessera (${recipe.modelId})`,
    digitalSourceType: !generated
      ? null
      : derived
        ? DIGITAL_SOURCE_TYPE.compositeWithTrainedAlgorithmicMedia
        : DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia,
  };
}

/** The legacy (non-XMP) fields that XMP properties mirror, as the file has them. */
interface LegacyFields {
  exifDescription: boolean;
  iptcKeywords: boolean;
  /** A caption in EXIF ImageDescription, IPTC Caption-Abstract or a PNG Description chunk. */
  legacyCaption: boolean;
}

const LEGACY_OPTIONS = {
  tiff: true,
  iptc: true,
  exif: false,
  gps: false,
  xmp: false,
  icc: false,
  jfif: false,
  ihdr: true, // a PNG's text chunks
  mergeOutput: false,
  silentErrors: true,
};

async function legacyFieldsOf(bytes: Uint8Array, mime: string): Promise<LegacyFields> {
  let raw: Partial<Record<'ifd0' | 'iptc' | 'ihdr', Record<string, unknown>>> | undefined;
  try {
    raw = await exifr.parse(exifrSafeCopy(bytes, mime), LEGACY_OPTIONS);
  } catch {
    raw = undefined; // no EXIF or IPTC exifr can read: nothing to mirror
  }
  const present = (value: unknown) =>
    (typeof value === 'string' && value.trim() !== '') || Array.isArray(value);
  const caption = (value: unknown) => typeof value === 'string' && isMeaningfulCaption(value);
  return {
    exifDescription: present(raw?.ifd0?.ImageDescription),
    iptcKeywords: present(raw?.iptc?.Keywords),
    legacyCaption:
      caption(raw?.ifd0?.ImageDescription) ||
      caption(raw?.iptc?.Caption) ||
      (mime === 'image/png' && caption(raw?.ihdr?.Description)),
  };
}

/**
 * `packet` with Tessera's fields merged in. `ownerCaption`: the file holds a caption its owner
 * wrote (in the packet or outside it). That caption stays the file's only one, unless it lives
 * in the XMP alone and the user has since typed a new one into Tessera: then the XMP caption,
 * all there is to update, gets the owner's new words.
 */
export function mergeExportXmp(
  packet: string,
  fields: TesseraFields,
  file: LegacyFields & { ownerCaption: boolean },
): string {
  let xmp = packet;
  const ownerRewrote = fields.captionByUser && !file.legacyCaption;
  if (file.ownerCaption && ownerRewrote && parseXmp(xmp).description === fields.caption) {
    // Already the file's caption: nothing to change.
  } else if (file.ownerCaption && !ownerRewrote) {
    // A caption of Tessera's beside the owner's would contradict it.
    if (parseXmp(xmp).writtenByTessera) xmp = removeXmpCaption(xmp);
  } else if (fields.caption.trim() !== '') {
    xmp = writeXmpCaption(xmp, fields.caption, {
      modelId: fields.captionModel,
      // tiff:ImageDescription mirrors EXIF's: only where the file has no EXIF one to contradict.
      mirror: !file.exifDescription,
    });
  }
  if (fields.tags.length > 0 && !file.iptcKeywords && !hasXmpProperty(xmp, NS.dc, 'subject'))
    xmp = addXmpBag(xmp, NS.dc, 'dc', 'subject', fields.tags);
  if (fields.rating !== null && !hasXmpProperty(xmp, NS.xmp, 'Rating'))
    xmp = setXmpProperty(xmp, NS.xmp, 'xmp', 'Rating', String(fields.rating));
  if (fields.creatorTool !== null)
    xmp = setXmpProperty(xmp, NS.xmp, 'xmp', 'CreatorTool', fields.creatorTool);
  if (fields.digitalSourceType !== null)
    xmp = setXmpProperty(
      xmp,
      NS.Iptc4xmpExt,
      'Iptc4xmpExt',
      'DigitalSourceType',
      fields.digitalSourceType,
    );
  return xmp;
}

/** The XMP packet for an exported item whose file bytes are `original`. */
export async function exportXmpFor(item: ItemDetail, original: Uint8Array): Promise<string> {
  const embedded = (await readPhotoMetadata(original)).embeddedCaption;
  return mergeExportXmp(extractXmp(original, item.mime) ?? EMPTY_XMP_PACKET, fieldsOf(item), {
    ...(await legacyFieldsOf(original, item.mime)),
    ownerCaption: embedded !== null && !embedded.writtenByTessera,
  });
}
