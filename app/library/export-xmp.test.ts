import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIGITAL_SOURCE_TYPE, EMPTY_XMP_PACKET, parseXmp, writeXmpCaption } from '../media/xmp.ts';
import { mergeExportXmp } from './export-xmp.ts';

/** A packet as Lightroom writes one: attributes and elements, several namespaces, extensions. */
const LIGHTROOM = `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00        ">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmpNote="http://ns.adobe.com/xmp/note/"
    xmlns:acme="https://example.org/acme/2.0/"
   xmp:Rating="4"
   photoshop:Credit="Ana Núñez / Family archive"
   exif:GPSLatitude="48,51.396N"
   exif:GPSLongitude="2,21.132E"
   xmpNote:HasExtendedXMP="0123456789ABCDEF0123456789ABCDEF"
   acme:Workflow="scan &amp; retouch">
   <dc:creator>
    <rdf:Seq>
     <rdf:li>Ana Núñez</rdf:li>
    </rdf:Seq>
   </dc:creator>
   <dc:rights>
    <rdf:Alt>
     <rdf:li xml:lang="x-default">© 2024 Ana Núñez</rdf:li>
    </rdf:Alt>
   </dc:rights>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>garden</rdf:li>
     <rdf:li>family</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;

const photo = {
  caption: 'a garden with red flowers',
  captionModel: 'tessera/caption-a',
  captionByUser: false,
  tags: ['blooms'],
  rating: 2,
  creatorTool: null,
  digitalSourceType: null,
};
const noLegacy = {
  exifDescription: false,
  iptcKeywords: false,
  legacyCaption: false,
  ownerCaption: false,
};

/**
 * True if `original`'s lines all appear in `merged`, in order: nothing was changed, only added.
 * (A start tag's closing `>` moves when attributes are added after its last one.)
 */
function onlyAdded(original: string, merged: string): boolean {
  const linesOf = (text: string) => text.split('\n').map((line) => line.replace(/>$/, ''));
  const lines = linesOf(merged);
  let at = 0;
  for (const line of linesOf(original)) {
    at = lines.indexOf(line, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

test('a model caption is merged in; every other property stays byte for byte', () => {
  const merged = mergeExportXmp(LIGHTROOM, photo, noLegacy);
  assert.ok(onlyAdded(LIGHTROOM, merged), merged);
  const read = parseXmp(merged);
  assert.deepEqual(
    [read.description, read.writtenByTessera, read.captionBy],
    [photo.caption, true, 'tessera/caption-a'],
  );
  // The owner's rating and keywords win over Tessera's: one value each, theirs.
  assert.equal(merged.match(/Rating/g)!.length, 1);
  assert.equal(merged.match(/<dc:subject>/g)!.length, 1);
  assert.doesNotMatch(merged, /blooms/);
});

test('an owner caption in the packet is left alone: nothing else to add means no change', () => {
  const owned = LIGHTROOM.replace(
    '   <dc:subject>',
    '   <dc:description>\n    <rdf:Alt>\n     <rdf:li xml:lang="x-default">Grandma’s garden</rdf:li>\n    </rdf:Alt>\n   </dc:description>\n   <dc:subject>',
  );
  const merged = mergeExportXmp(
    owned,
    { ...photo, tags: [], rating: null },
    {
      ...noLegacy,
      ownerCaption: true,
    },
  );
  assert.equal(merged, owned);
});

test('an owner caption outside XMP removes a caption of Tessera’s and adds none', () => {
  const ours = mergeExportXmp(LIGHTROOM, photo, noLegacy);
  const merged = mergeExportXmp(ours, photo, { ...noLegacy, ownerCaption: true });
  assert.equal(parseXmp(merged).description, null);
  assert.doesNotMatch(merged, /tessera:/);
  assert.ok(onlyAdded(LIGHTROOM, merged));
});

test('tiff:ImageDescription is not written where EXIF has a description of its own', () => {
  const merged = mergeExportXmp(EMPTY_XMP_PACKET, photo, { ...noLegacy, exifDescription: true });
  assert.doesNotMatch(merged, /ImageDescription/);
  assert.match(merged, /<dc:description>/);
  const mirrored = mergeExportXmp(EMPTY_XMP_PACKET, photo, noLegacy);
  assert.match(mirrored, /<tiff:ImageDescription>a garden with red flowers</);
});

test('keywords are added only where the file has none, in XMP or IPTC', () => {
  assert.match(mergeExportXmp(EMPTY_XMP_PACKET, photo, noLegacy), /<rdf:li>blooms<\/rdf:li>/);
  const withIptc = mergeExportXmp(EMPTY_XMP_PACKET, photo, { ...noLegacy, iptcKeywords: true });
  assert.doesNotMatch(withIptc, /subject/);
});

test('a generation gets Tessera’s creator tool and source type, replacing earlier values', () => {
  const earlier = LIGHTROOM.replace(
    '   xmp:Rating="4"',
    '   xmp:Rating="4"\n   xmp:CreatorTool="Other"',
  );
  const merged = mergeExportXmp(
    earlier,
    {
      caption: 'red heart',
      captionModel: null,
      captionByUser: false,
      tags: [],
      rating: null,
      creatorTool: 'Tessera (tessera/vq-ar)',
      digitalSourceType: DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia,
    },
    noLegacy,
  );
  assert.match(merged, /xmp:CreatorTool="Tessera \(tessera\/vq-ar\)"/);
  assert.doesNotMatch(merged, /"Other"/);
  assert.match(
    merged,
    /Iptc4xmpExt:DigitalSourceType="http:\/\/cv\.iptc\.org\/newscodes\/digitalsourcetype\/trainedAlgorithmicMedia"/,
  );
  assert.match(merged, /xmlns:Iptc4xmpExt="http:\/\/iptc\.org\/std\/Iptc4xmpExt\/2008-02-29\/"/);
  const read = parseXmp(merged);
  assert.deepEqual([read.description, read.writtenByTessera], ['red heart', false]);
  assert.ok(onlyAdded(LIGHTROOM, merged));
});

test('a caption the user typed into Tessera replaces an owner caption that lives in XMP alone', () => {
  const owned = writeXmpCaption(LIGHTROOM, 'Old words', { modelId: null, mirror: false });
  const typed = { ...photo, caption: 'New words', captionModel: null, captionByUser: true };
  const merged = mergeExportXmp(owned, typed, { ...noLegacy, ownerCaption: true });
  assert.deepEqual(
    [parseXmp(merged).description, parseXmp(merged).writtenByTessera],
    ['New words', false],
  );
  assert.ok(onlyAdded(LIGHTROOM, merged));
  // Where EXIF, IPTC or PNG text also holds the old words, the XMP must not contradict them.
  const kept = mergeExportXmp(owned, typed, {
    ...noLegacy,
    ownerCaption: true,
    legacyCaption: true,
  });
  assert.equal(parseXmp(kept).description, 'Old words');
  // The same words again change nothing.
  const same = { ...typed, caption: 'Old words', tags: [], rating: null };
  assert.equal(mergeExportXmp(owned, same, { ...noLegacy, ownerCaption: true }), owned);
});
