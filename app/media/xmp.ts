/**
 * XMP captions: builds packets, reads the caption out of packets written by any tool, and keeps
 * `photo.jpg.xmp` sidecars up to date without ever replacing a caption a person wrote.
 *
 * Tessera marks its own captions with `tessera:CaptionBy` and `tessera:CaptionSha256`. A
 * caption counts as Tessera's only while that hash still matches the caption text, so a user
 * who edits Tessera's caption in Lightroom or digiKam owns it from then on.
 *
 * There is no XML library in the dependencies, and XMP from other tools must be edited without
 * re-serialising it (every byte we do not own stays as it was), so this reads and splices the
 * text with a small, tolerant scanner instead of building a DOM.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';

export const NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  tiff: 'http://ns.adobe.com/tiff/1.0/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  Iptc4xmpExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  tessera: 'https://tessera.app/ns/1.0/',
} as const;

/** IPTC NewsCodes for Iptc4xmpExt:DigitalSourceType (cv.iptc.org/newscodes/digitalsourcetype). */
export const DIGITAL_SOURCE_TYPE = {
  trainedAlgorithmicMedia: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
  compositeWithTrainedAlgorithmicMedia:
    'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
} as const;

// ---------------------------------------------------------------------------------------------
// Text: what XML can carry, escaping, decoding, hashing

/**
 * XML 1.0 cannot carry most C0 controls (not even as character references) nor unpaired UTF-16
 * surrogates: drop the former, replace the latter with U+FFFD, so a stray byte in a model's
 * output never makes a packet that other tools refuse.
 */
export function xmlSafeText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  );
}

function escapeText(text: string): string {
  // \r is escaped because XML parsers turn a literal CR (and CRLF) into LF.
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function escapeAttribute(text: string): string {
  // Literal tabs and newlines in attributes are normalised to spaces by XML parsers.
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** Character data as an XML parser reports it: line ends normalised, CDATA kept literal. */
function decodeContent(raw: string): string {
  let out = '';
  let pos = 0;
  for (const m of raw.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)) {
    out += decodeEntities(raw.slice(pos, m.index).replace(/\r\n?/g, '\n'));
    out += m[1]!.replace(/\r\n?/g, '\n');
    pos = m.index + m[0].length;
  }
  return out + decodeEntities(raw.slice(pos).replace(/\r\n?/g, '\n'));
}

function decodeAttribute(raw: string): string {
  return decodeEntities(raw.replace(/\r\n|[\r\n\t]/g, ' '));
}

/**
 * The hash that marks a caption as Tessera's. Line ends and Unicode composition are normalised
 * first, because other tools re-serialise both without the user having edited anything.
 */
export function captionSha256(text: string): string {
  const canonical = text.replace(/\r\n?/g, '\n').normalize('NFC');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Building a packet

export interface XmpFields {
  /** The caption: dc:description (x-default) and tiff:ImageDescription. */
  description: string;
  /** Tags, as dc:subject. */
  subject?: string[];
  /** xmp:Rating, -1 (rejected) to 5. */
  rating?: number;
  creatorTool?: string;
  /** An IPTC NewsCodes URI, e.g. DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia. */
  digitalSourceType?: string;
  /** The model that wrote the caption; adds the Tessera marker. */
  tesseraModel?: string;
}

const PACKET_ID = 'W5M0MpCehiHzreSzNTczkc9d';

function descriptionElements(
  prefixes: Prefixes,
  description: string,
  indent: string,
  mirror = true,
): string[] {
  const { rdf, dc, tiff } = prefixes;
  const text = escapeText(description);
  const elements = [
    `${indent}<${dc}:description>`,
    `${indent} <${rdf}:Alt>`,
    `${indent}  <${rdf}:li xml:lang="x-default">${text}</${rdf}:li>`,
    `${indent} </${rdf}:Alt>`,
    `${indent}</${dc}:description>`,
  ];
  if (mirror)
    elements.push(`${indent}<${tiff}:ImageDescription>${text}</${tiff}:ImageDescription>`);
  return elements;
}

function markerAttributes(prefix: string, description: string, modelId: string): string[] {
  return [
    `${prefix}:CaptionBy="${escapeAttribute(xmlSafeText(modelId))}"`,
    `${prefix}:CaptionSha256="${captionSha256(description)}"`,
  ];
}

interface Prefixes {
  rdf: string;
  dc: string;
  tiff: string;
  tessera: string;
}

/** A packet with one empty rdf:Description, for properties to be added to. */
export const EMPTY_XMP_PACKET = [
  `<?xpacket begin="\ufeff" id="${PACKET_ID}"?>`,
  `<x:xmpmeta xmlns:x="${NS.x}" x:xmptk="Tessera">`,
  ` <rdf:RDF xmlns:rdf="${NS.rdf}">`,
  '  <rdf:Description rdf:about=""/>',
  ' </rdf:RDF>',
  '</x:xmpmeta>',
  '<?xpacket end="w"?>',
  '',
].join('\n');

/** A complete XMP packet (with xpacket wrapper) for a sidecar or for embedding. */
export function buildXmp(fields: XmpFields): string {
  const description = xmlSafeText(fields.description);
  const { rating } = fields;
  if (rating !== undefined && !(Number.isInteger(rating) && rating >= -1 && rating <= 5))
    throw new RangeError(`xmp:Rating must be an integer from -1 to 5, not ${rating}`);
  const attributes = [
    'rdf:about=""',
    ...Object.entries(NS)
      .filter(([prefix]) => prefix !== 'x' && prefix !== 'rdf')
      .map(([prefix, uri]) => `xmlns:${prefix}="${uri}"`),
  ];
  if (fields.creatorTool !== undefined)
    attributes.push(`xmp:CreatorTool="${escapeAttribute(xmlSafeText(fields.creatorTool))}"`);
  if (fields.rating !== undefined) attributes.push(`xmp:Rating="${fields.rating}"`);
  if (fields.digitalSourceType !== undefined)
    attributes.push(
      `Iptc4xmpExt:DigitalSourceType="${escapeAttribute(xmlSafeText(fields.digitalSourceType))}"`,
    );
  if (fields.tesseraModel !== undefined)
    attributes.push(...markerAttributes('tessera', description, fields.tesseraModel));
  const prefixes = { rdf: 'rdf', dc: 'dc', tiff: 'tiff', tessera: 'tessera' };
  const children = descriptionElements(prefixes, description, '   ');
  if (fields.subject !== undefined && fields.subject.length > 0) {
    children.push('   <dc:subject>', '    <rdf:Bag>');
    for (const tag of fields.subject)
      children.push(`     <rdf:li>${escapeText(xmlSafeText(tag))}</rdf:li>`);
    children.push('    </rdf:Bag>', '   </dc:subject>');
  }
  return [
    `<?xpacket begin="\ufeff" id="${PACKET_ID}"?>`,
    `<x:xmpmeta xmlns:x="${NS.x}" x:xmptk="Tessera">`,
    ` <rdf:RDF xmlns:rdf="${NS.rdf}">`,
    `  <rdf:Description ${attributes.join('\n    ')}>`,
    ...children,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Scanning XMP written by any tool

/**
 * The text with comments, processing instructions and CDATA blanked out (same length, so
 * offsets still point into the original): a commented-out `<dc:description>` is not a caption.
 */
function maskMarkup(text: string): string {
  return text.replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) =>
    ' '.repeat(m.length),
  );
}

const ATTRIBUTE = /([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

interface Attribute {
  name: string;
  value: string;
  start: number;
  end: number;
}

/** Attributes of a start tag; offsets are relative to the tag. */
function attributesOf(tag: string): Attribute[] {
  return [...tag.matchAll(ATTRIBUTE)].map((m) => ({
    name: m[1]!,
    value: decodeAttribute(m[2] ?? m[3] ?? ''),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Every prefix the document binds to `uri` (XMP rarely rebinds prefixes, so scope is ignored). */
function prefixesFor(masked: string, uri: string, fallback: string): string[] {
  const found = new Set<string>();
  for (const m of masked.matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    if ((m[2] ?? m[3]) === uri) found.add(m[1]!);
  return found.size > 0 ? [...found] : [fallback];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface ElementMatch {
  start: number;
  end: number;
  /** The start tag's text. */
  startTag: string;
  /** Offsets of the content, or null for an empty-element tag. */
  content: { start: number; end: number } | null;
}

function findElements(
  masked: string,
  qnames: string[],
  from = 0,
  to = masked.length,
): ElementMatch[] {
  const names = qnames.map(escapeRegExp).join('|');
  const open = new RegExp(`<(${names})(?=[\\s/>])[^>]*?(/?)>`, 'g');
  open.lastIndex = from;
  const found: ElementMatch[] = [];
  for (let m = open.exec(masked); m && m.index < to; m = open.exec(masked)) {
    const tagEnd = m.index + m[0].length;
    if (m[2] === '/') {
      found.push({ start: m.index, end: tagEnd, startTag: m[0], content: null });
      continue;
    }
    const close = new RegExp(`</${escapeRegExp(m[1]!)}\\s*>`, 'g');
    close.lastIndex = tagEnd;
    const c = close.exec(masked);
    if (!c || c.index + c[0].length > to) break; // unbalanced: trust nothing after this point
    found.push({
      start: m.index,
      end: c.index + c[0].length,
      startTag: m[0],
      content: { start: tagEnd, end: c.index },
    });
    open.lastIndex = c.index + c[0].length;
  }
  return found;
}

interface StartTag {
  start: number;
  end: number;
  text: string;
  selfClosing: boolean;
}

function findStartTags(masked: string, qnames: string[]): StartTag[] {
  const names = qnames.map(escapeRegExp).join('|');
  const open = new RegExp(`<(?:${names})(?=[\\s/>])[^>]*?(/?)>`, 'g');
  return [...masked.matchAll(open)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    text: m[0],
    selfClosing: m[1] === '/',
  }));
}

interface Scan {
  text: string;
  masked: string;
  rdf: string[];
  dc: string[];
  tiff: string[];
  tessera: string[];
}

function scan(text: string): Scan {
  const masked = maskMarkup(text);
  return {
    text,
    masked,
    rdf: prefixesFor(masked, NS.rdf, 'rdf'),
    dc: prefixesFor(masked, NS.dc, 'dc'),
    tiff: prefixesFor(masked, NS.tiff, 'tiff'),
    tessera: prefixesFor(masked, NS.tessera, 'tessera'),
  };
}

const qualified = (prefixes: string[], local: string) => prefixes.map((p) => `${p}:${local}`);

/** A language alternative's x-default item (else its first item), or plain text content. */
function altText(doc: Scan, content: { start: number; end: number }): string {
  const items = findElements(doc.masked, qualified(doc.rdf, 'li'), content.start, content.end);
  if (items.length === 0) {
    // Not an rdf:Alt: some tools write the text directly in the property element.
    const inner = doc.masked.slice(content.start, content.end);
    return /</.test(inner) ? '' : decodeContent(doc.text.slice(content.start, content.end));
  }
  const chosen =
    items.find((li) =>
      attributesOf(li.startTag).some((a) => a.name === 'xml:lang' && a.value === 'x-default'),
    ) ?? items[0]!;
  return chosen.content
    ? decodeContent(doc.text.slice(chosen.content.start, chosen.content.end))
    : '';
}

/** A property's value, written as an element or as an attribute of rdf:Description. */
function readProperty(doc: Scan, qnames: string[]): string | null {
  for (const element of findElements(doc.masked, qnames))
    if (element.content) return altText(doc, element.content);
  for (const tag of findStartTags(doc.masked, qualified(doc.rdf, 'Description')))
    for (const attribute of attributesOf(tag.text))
      if (qnames.includes(attribute.name)) return attribute.value;
  return null;
}

export interface XmpCaption {
  /** The caption (dc:description, else tiff:ImageDescription), or null if there is none. */
  description: string | null;
  /** True only when Tessera's marker is present and its hash matches the caption. */
  writtenByTessera: boolean;
  /** The hash in Tessera's marker, if any. */
  captionSha256: string | null;
  /** The model named in Tessera's marker, if any. */
  captionBy: string | null;
}

export function parseXmp(text: string): XmpCaption {
  const doc = scan(text);
  const nonEmpty = (value: string | null) => (value !== null && value.trim() !== '' ? value : null);
  const dcDescription = nonEmpty(readProperty(doc, qualified(doc.dc, 'description')));
  const tiffDescription = nonEmpty(readProperty(doc, qualified(doc.tiff, 'ImageDescription')));
  const hash = readProperty(doc, qualified(doc.tessera, 'CaptionSha256'))?.trim() || null;
  const captionBy = readProperty(doc, qualified(doc.tessera, 'CaptionBy')) || null;
  const isOurs = (value: string) => hash !== null && hash.toLowerCase() === captionSha256(value);
  // tiff:ImageDescription normally mirrors dc:description; if a tool changed only the mirror,
  // that edit is the user's and wins over Tessera's dc:description.
  const userMirror = tiffDescription !== null && !isOurs(tiffDescription) ? tiffDescription : null;
  const description =
    dcDescription !== null && isOurs(dcDescription) && userMirror !== null
      ? userMirror
      : (dcDescription ?? tiffDescription);
  return {
    description,
    writtenByTessera: description !== null && isOurs(description),
    captionSha256: hash,
    captionBy,
  };
}

/** True if the text looks like an XMP packet at all (has an rdf:RDF element). */
export function looksLikeXmp(text: string): boolean {
  const doc = scan(text);
  return findStartTags(doc.masked, qualified(doc.rdf, 'RDF')).length > 0;
}

// ---------------------------------------------------------------------------------------------
// Editing: set Tessera's caption in an existing packet, keeping everything else byte for byte

export class UserCaptionError extends Error {}

interface Splice {
  start: number;
  end: number;
  insert: string;
}

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  // Last first, so earlier offsets stay valid; at one offset, the replacement before the insert.
  for (const s of [...splices].sort((a, b) => b.start - a.start || b.end - a.end))
    out = out.slice(0, s.start) + s.insert + out.slice(s.end);
  return out;
}

/** Extends a removal over the indentation and line break before it, so no blank line is left. */
function withLeadingWhitespace(text: string, start: number): number {
  let p = start;
  while (p > 0 && (text[p - 1] === ' ' || text[p - 1] === '\t')) p--;
  if (p > 0 && text[p - 1] === '\n') p--;
  if (p > 0 && text[p - 1] === '\r') p--;
  return p;
}

/** Removes the caption properties and every tessera: property (the caller checked they are ours or empty). */
function removeCaption(doc: Scan): string {
  const splices: Splice[] = [];
  const owned = [...qualified(doc.dc, 'description'), ...qualified(doc.tiff, 'ImageDescription')];
  for (const element of findElements(doc.masked, owned))
    splices.push({
      start: withLeadingWhitespace(doc.text, element.start),
      end: element.end,
      insert: '',
    });
  const tesseraElement = new RegExp(
    `<((?:${doc.tessera.map(escapeRegExp).join('|')}):[\\w.-]+)(?=[\\s/>])[^>]*?(?:/>|>[^<]*</\\1\\s*>)`,
    'g',
  );
  for (const m of doc.masked.matchAll(tesseraElement))
    splices.push({
      start: withLeadingWhitespace(doc.text, m.index),
      end: m.index + m[0].length,
      insert: '',
    });
  for (const tag of findStartTags(doc.masked, qualified(doc.rdf, 'Description'))) {
    for (const attribute of attributesOf(tag.text)) {
      const [prefix] = attribute.name.split(':');
      if (!owned.includes(attribute.name) && !doc.tessera.includes(prefix!)) continue;
      let start = tag.start + attribute.start;
      while (start > tag.start && /\s/.test(doc.text[start - 1]!)) start--;
      splices.push({ start, end: tag.start + attribute.end, insert: '' });
    }
  }
  return applySplices(doc.text, splices);
}

/** Namespace declarations in scope at a start tag: its own and those of rdf:RDF and x:xmpmeta. */
function declarationsInScope(doc: Scan, tag: StartTag): Map<string, string> {
  const scopes = [
    ...findStartTags(doc.masked, ['x:xmpmeta', 'x:xapmeta']),
    ...findStartTags(doc.masked, qualified(doc.rdf, 'RDF')),
  ].filter((t) => t.start < tag.start);
  const declared = new Map<string, string>();
  for (const t of [...scopes, tag])
    for (const a of attributesOf(t.text))
      if (a.name.startsWith('xmlns:')) declared.set(a.name.slice(6), a.value);
  return declared;
}

/** A prefix for `uri` usable at `tag`, and the declaration to add if it is not yet in scope. */
function prefixAt(declared: Map<string, string>, uri: string, preferred: string) {
  for (const [prefix, bound] of declared) if (bound === uri) return { prefix, declare: null };
  let prefix = preferred;
  for (let n = 1; declared.has(prefix); n++) prefix = `${preferred}${n}`;
  declared.set(prefix, uri);
  return { prefix, declare: `xmlns:${prefix}="${uri}"` };
}

/**
 * Sets Tessera's caption and marker in an existing XMP packet. Whatever else the packet holds is
 * kept byte for byte; Tessera's previous caption (if any) is replaced. Throws UserCaptionError
 * if the packet has a caption that Tessera did not write.
 */
export function setXmpCaption(xmpText: string, caption: string, modelId: string): string {
  const existing = parseXmp(xmpText);
  if (existing.description !== null && !existing.writtenByTessera)
    throw new UserCaptionError('the XMP already has a caption written by someone else');
  return writeXmpCaption(xmpText, caption, { modelId, mirror: true });
}

export interface CaptionWriteOptions {
  /** The model that wrote the caption (adds Tessera's marker), or null for a person's words. */
  modelId: string | null;
  /** Also write tiff:ImageDescription, the XMP mirror of EXIF's ImageDescription. */
  mirror: boolean;
}

/**
 * The packet with `caption` as its caption, whoever wrote the caption it had: the caller
 * decides that it may be replaced. Everything but the caption properties and Tessera's marker
 * is kept byte for byte.
 */
export function writeXmpCaption(
  xmpText: string,
  caption: string,
  { modelId, mirror }: CaptionWriteOptions,
): string {
  const description = xmlSafeText(caption);
  const namespaces: Record<string, string> = { [NS.dc]: 'dc' };
  if (mirror) namespaces[NS.tiff] = 'tiff';
  if (modelId !== null) namespaces[NS.tessera] = 'tessera';
  return addToDescription(removeCaption(scan(xmpText)), namespaces, (prefix, rdf, indent) => ({
    attributes: modelId === null ? [] : markerAttributes(prefix(NS.tessera), description, modelId),
    children: descriptionElements(
      { rdf, dc: prefix(NS.dc), tiff: mirror ? prefix(NS.tiff) : '', tessera: '' },
      description,
      indent,
      mirror,
    ),
  }));
}

/** The packet without its caption properties and Tessera's marker; the rest byte for byte. */
export function removeXmpCaption(xmpText: string): string {
  return removeCaption(scan(xmpText));
}

/** The prefixes a packet binds to `uri` (none if it never declares it). */
function boundPrefixes(doc: Scan, uri: string): string[] {
  const bound = prefixesFor(doc.masked, uri, '');
  return bound[0] === '' ? [] : bound;
}

/** Removals for every occurrence of a property: as an element, or as an rdf:Description attribute. */
function propertyRemovals(doc: Scan, qnames: string[]): Splice[] {
  if (qnames.length === 0) return [];
  const splices: Splice[] = findElements(doc.masked, qnames).map((element) => ({
    start: withLeadingWhitespace(doc.text, element.start),
    end: element.end,
    insert: '',
  }));
  for (const tag of findStartTags(doc.masked, qualified(doc.rdf, 'Description')))
    for (const attribute of attributesOf(tag.text)) {
      if (!qnames.includes(attribute.name)) continue;
      let start = tag.start + attribute.start;
      while (start > tag.start && /\s/.test(doc.text[start - 1]!)) start--;
      splices.push({ start, end: tag.start + attribute.end, insert: '' });
    }
  return splices;
}

/** True if the packet has the property `local` of namespace `uri`, in any form. */
export function hasXmpProperty(xmpText: string, uri: string, local: string): boolean {
  const doc = scan(xmpText);
  return propertyRemovals(doc, qualified(boundPrefixes(doc, uri), local)).length > 0;
}

/** The packet with a simple property set to `value` (replacing any earlier value). */
export function setXmpProperty(
  xmpText: string,
  uri: string,
  preferredPrefix: string,
  local: string,
  value: string,
): string {
  const doc = scan(xmpText);
  const removals = propertyRemovals(doc, qualified(boundPrefixes(doc, uri), local));
  const attribute = escapeAttribute(xmlSafeText(value));
  return addToDescription(
    applySplices(doc.text, removals),
    { [uri]: preferredPrefix },
    (prefix) => ({ attributes: [`${prefix(uri)}:${local}="${attribute}"`], children: [] }),
  );
}

/** The packet with an unordered array property (rdf:Bag) added; the caller checked it is absent. */
export function addXmpBag(
  xmpText: string,
  uri: string,
  preferredPrefix: string,
  local: string,
  items: readonly string[],
): string {
  return addToDescription(xmpText, { [uri]: preferredPrefix }, (prefix, rdf, indent) => ({
    attributes: [],
    children: [
      `${indent}<${prefix(uri)}:${local}>`,
      `${indent} <${rdf}:Bag>`,
      ...items.map((item) => `${indent}  <${rdf}:li>${escapeText(xmlSafeText(item))}</${rdf}:li>`),
      `${indent} </${rdf}:Bag>`,
      `${indent}</${prefix(uri)}:${local}>`,
    ],
  }));
}

type Additions = (
  prefix: (uri: string) => string,
  rdf: string,
  indent: string,
) => { attributes: string[]; children: string[] };

/**
 * Adds attributes and child elements to the packet's first rdf:Description (creating an empty
 * one if it has none), declaring the namespaces they need (`namespaces`: URI to preferred
 * prefix) unless a prefix for them is already in scope. Nothing else changes.
 */
function addToDescription(
  xmpText: string,
  namespaces: Record<string, string>,
  additions: Additions,
): string {
  let doc = scan(xmpText);
  let target = findStartTags(doc.masked, qualified(doc.rdf, 'Description'))[0];
  if (!target) {
    doc = scan(withEmptyDescription(doc));
    target = findStartTags(doc.masked, qualified(doc.rdf, 'Description'))[0]!;
  }
  const rdf = doc.rdf[0]!;
  const declared = declarationsInScope(doc, target);
  const prefixes = new Map<string, string>();
  const declarations: string[] = [];
  for (const [uri, preferred] of Object.entries(namespaces)) {
    const { prefix, declare } = prefixAt(declared, uri, preferred);
    prefixes.set(uri, prefix);
    if (declare !== null) declarations.push(declare);
  }
  // Follow the tag's layout: one attribute per line if it already has them that way.
  const lastBreak = target.text.lastIndexOf('\n');
  const separator =
    lastBreak < 0 ? ' ' : `\n${/^[ \t]*/.exec(target.text.slice(lastBreak + 1))![0]}`;
  const lineStart = doc.text.lastIndexOf('\n', target.start) + 1;
  const indent = /^[ \t]*/.exec(doc.text.slice(lineStart, target.start))![0];
  const { attributes, children } = additions((uri) => prefixes.get(uri)!, rdf, `${indent} `);
  const childText = children.map((line) => `\n${line}`).join('');
  const closeAt = target.end - (target.selfClosing ? 2 : 1);
  const attributesAt =
    closeAt - /\s*$/.exec(target.text.slice(0, closeAt - target.start))![0].length;
  const splices: Splice[] = [
    {
      start: attributesAt,
      end: attributesAt,
      insert: [...declarations, ...attributes].map((a) => separator + a).join(''),
    },
  ];
  if (children.length > 0)
    splices.push(
      target.selfClosing
        ? {
            start: closeAt,
            end: target.end,
            insert: `>${childText}\n${indent}</${rdf}:Description>`,
          }
        : { start: target.end, end: target.end, insert: childText },
    );
  return applySplices(doc.text, splices);
}

/** For a packet whose rdf:RDF has no rdf:Description at all: adds an empty one. */
function withEmptyDescription(doc: Scan): string {
  const rdfElement = findElements(doc.masked, qualified(doc.rdf, 'RDF'))[0];
  if (!rdfElement) throw new Error('not an XMP packet: it has no rdf:RDF element');
  const rdf = doc.rdf[0]!;
  const element = `\n  <${rdf}:Description ${rdf}:about=""/>\n `;
  if (rdfElement.content) {
    const at = rdfElement.content.start;
    return applySplices(doc.text, [{ start: at, end: at, insert: element }]);
  }
  const openTag = rdfElement.startTag.replace(/\s*\/>$/, '>');
  return applySplices(doc.text, [
    { start: rdfElement.start, end: rdfElement.end, insert: `${openTag}${element}</${rdf}:RDF>` },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Sidecars

/** Where Tessera writes a sidecar: `photo.jpg.xmp` (the naming Immich and darktable use). */
export function sidecarPathFor(imagePath: string): string {
  return `${imagePath}.xmp`;
}

/**
 * Sidecars that may describe the image: `photo.jpg.xmp`, then `photo.xmp` (Lightroom's naming,
 * which a RAW+JPEG pair shares). Only the first is ever written.
 */
export function sidecarCandidates(imagePath: string): string[] {
  const ext = extname(imagePath);
  const candidates = [sidecarPathFor(imagePath)];
  if (ext !== '')
    for (const xmpExt of ['.xmp', '.XMP'])
      candidates.push(join(dirname(imagePath), basename(imagePath, ext) + xmpExt));
  return candidates;
}

export interface Sidecar extends XmpCaption {
  path: string;
  text: string;
}

async function readIfExists(path: string): Promise<{ text: string; id: string } | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    return { text: await readFile(path, 'utf8'), id: `${info.dev}:${info.ino}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

async function readSidecars(imagePath: string): Promise<Sidecar[]> {
  const found: Sidecar[] = [];
  const seen = new Set<string>();
  for (const path of sidecarCandidates(imagePath)) {
    const file = await readIfExists(path);
    // On a case-insensitive file system photo.xmp and photo.XMP are one file.
    if (file === null || seen.has(file.id)) continue;
    seen.add(file.id);
    found.push({ path, text: file.text, ...parseXmp(file.text) });
  }
  return found;
}

/**
 * The sidecar whose caption counts for the image: a user's caption in any candidate outranks
 * Tessera's; with no caption anywhere, the first sidecar found. Null if there is none.
 */
export async function readSidecar(imagePath: string): Promise<Sidecar | null> {
  const sidecars = await readSidecars(imagePath);
  return (
    sidecars.find((s) => s.description !== null && !s.writtenByTessera) ??
    sidecars.find((s) => s.description !== null) ??
    sidecars[0] ??
    null
  );
}

export type SidecarWriteResult =
  | { written: true; path: string; action: 'created' | 'replaced' | 'inserted' }
  | { written: false; reason: 'user-caption'; path: string; userCaption: string }
  | { written: false; reason: 'read-only' | 'not-xmp'; path: string; message: string };

function hasNoWriteBits(mode: number): boolean {
  return (mode & 0o222) === 0;
}

/** Why the sidecar cannot be written, or null if it can. Respects write bits even for root. */
async function readOnlyReason(path: string, exists: boolean): Promise<string | null> {
  const folder = dirname(path);
  const what = exists ? `the sidecar ${path} is read-only` : `the folder ${folder} is read-only`;
  try {
    if (exists && hasNoWriteBits((await stat(path)).mode)) return what;
    if (hasNoWriteBits((await stat(folder)).mode)) return `the folder ${folder} is read-only`;
    await access(folder, constants.W_OK);
    if (exists) await access(path, constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return what;
    throw err;
  }
}

/**
 * Writes Tessera's caption to the image's sidecar, unless a person already captioned it there.
 * Creates `photo.jpg.xmp` if missing; otherwise updates it in place (keeping every other field
 * another tool wrote). A read-only folder or sidecar is reported, not thrown, so the caller can
 * keep the caption in the database only. A full disk throws, and leaves no partial file.
 */
export async function writeSidecarCaption(
  imagePath: string,
  caption: string,
  modelId: string,
): Promise<SidecarWriteResult> {
  const path = sidecarPathFor(imagePath);
  const sidecars = await readSidecars(imagePath);
  const user = sidecars.find((s) => s.description !== null && !s.writtenByTessera);
  if (user)
    return {
      written: false,
      reason: 'user-caption',
      path: user.path,
      userCaption: user.description!,
    };
  // An empty file (touched by some tool) holds nothing to keep: write a fresh packet.
  const current = sidecars.find((s) => s.path === path && s.text.trim() !== '');
  if (current && !looksLikeXmp(current.text))
    return {
      written: false,
      reason: 'not-xmp',
      path,
      message: `${path} is not an XMP file Tessera can read: move it away to let Tessera write captions there`,
    };
  const readOnly = await readOnlyReason(path, current !== undefined);
  if (readOnly)
    return {
      written: false,
      reason: 'read-only',
      path,
      message: `${readOnly}: the caption is kept in Tessera's library only; make it writable to get sidecars`,
    };
  const next = current
    ? setXmpCaption(current.text, caption, modelId)
    : buildXmp({ description: caption, tesseraModel: modelId, creatorTool: 'Tessera' });
  await writeFileAtomic(path, Buffer.from(next, 'utf8'));
  const action = !current ? 'created' : current.writtenByTessera ? 'replaced' : 'inserted';
  return { written: true, path, action };
}
