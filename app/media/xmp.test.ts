import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import exifr from 'exifr';
import { makeJunkFolder } from '../jobs/testing/junk-folder.ts';
import {
  DIGITAL_SOURCE_TYPE,
  UserCaptionError,
  buildXmp,
  captionSha256,
  parseXmp,
  readSidecar,
  setXmpCaption,
  sidecarCandidates,
  sidecarPathFor,
  writeSidecarCaption,
} from './xmp.ts';

const dir = await mkdtemp(join(tmpdir(), 'tessera-xmp-'));
after(() => rm(dir, { recursive: true, force: true }));

let folderCount = 0;
async function freshFolder(): Promise<string> {
  const folder = join(dir, `case-${folderCount++}`);
  await mkdir(folder);
  return folder;
}

/** A darktable sidecar: lots of fields, no caption. */
const DARKTABLE = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:darktable="http://darktable.sf.net/"
   exif:DateTimeOriginal="2023:06:01 12:00:00"
   xmp:Rating="1"
   xmpMM:DerivedFrom="IMG_0001.jpg"
   darktable:xmp_version="5"
   darktable:history_end="1">
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="flip"
      darktable:enabled="1"
      darktable:params="ffffffff"/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

/** A Lightroom sidecar (photo.xmp) with a user caption in two languages. */
const LIGHTROOM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00        ">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
   xmp:ModifyDate="2024-01-02T10:11:12+01:00"
   tiff:Make="Canon"
   crs:WhiteBalance="As Shot">
   <dc:description>
    <rdf:Alt>
     <rdf:li xml:lang="de">Zwei Hunde am Strand</rdf:li>
     <rdf:li xml:lang="x-default">Two dogs on the beach &amp; a &lt;kite&gt;</rdf:li>
    </rdf:Alt>
   </dc:description>
   <dc:subject><rdf:Bag><rdf:li>dogs</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

/** digiKam (Exiv2): a multi-line caption with character references, one Description per namespace. */
const DIGIKAM = `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:digiKam="http://www.digikam.org/ns/1.0/" digiKam:ColorLabel="0"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">First line&#10;Second line &#x2013; caf&#233;</rdf:li></rdf:Alt></dc:description>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;

const packet = (inner: string, declarations = '') =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:tessera="https://tessera.app/ns/1.0/"${declarations}>${inner}</rdf:Description></rdf:RDF></x:xmpmeta>`;

test('a built packet gives back any caption exactly, marked as Tessera’s', () => {
  const caption = 'Un "chat" & <chien>\nsecond line\r\nthird\ttab — café ☕ 😀 \'quoted\' ]]>';
  const xmp = buildXmp({ description: caption, tesseraModel: 'janus-pro-1b@abc' });
  const parsed = parseXmp(xmp);
  assert.equal(parsed.description, caption);
  assert.equal(parsed.writtenByTessera, true);
  assert.equal(parsed.captionSha256, captionSha256(caption));
  assert.equal(parsed.captionBy, 'janus-pro-1b@abc');
});

test('characters XML cannot carry are dropped and the marker hashes what was written', () => {
  const xmp = buildXmp({ description: 'bell\u0007 and lone \ud800 surrogate', tesseraModel: 'm' });
  const parsed = parseXmp(xmp);
  assert.equal(parsed.description, 'bell and lone \ufffd surrogate');
  assert.equal(parsed.writtenByTessera, true);
  assert.ok(!xmp.includes('\u0007'));
});

test('the optional fields land in their namespaces', () => {
  const xmp = buildXmp({
    description: 'A red heart',
    subject: ['heart', 'red & pink'],
    rating: 4,
    creatorTool: 'Tessera 0.1',
    digitalSourceType: DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia,
  });
  assert.match(xmp, /xmlns:Iptc4xmpExt="http:\/\/iptc\.org\/std\/Iptc4xmpExt\/2008-02-29\/"/);
  assert.match(
    xmp,
    /Iptc4xmpExt:DigitalSourceType="http:\/\/cv\.iptc\.org\/newscodes\/digitalsourcetype\/trainedAlgorithmicMedia"/,
  );
  assert.match(xmp, /xmp:Rating="4"/);
  assert.match(xmp, /<rdf:Bag>\s*<rdf:li>heart<\/rdf:li>\s*<rdf:li>red &amp; pink<\/rdf:li>/);
  assert.match(xmp, /<tiff:ImageDescription>A red heart<\/tiff:ImageDescription>/);
  // No model, no marker: this packet does not claim the caption as Tessera's.
  assert.equal(parseXmp(xmp).writtenByTessera, false);
  assert.throws(() => buildXmp({ description: 'x', rating: 7 }), RangeError);
});

test('exifr reads a built sidecar', async () => {
  const path = join(dir, 'exifr.jpg.xmp');
  await writeFile(
    path,
    buildXmp({ description: 'A lighthouse at dusk', rating: 2, tesseraModel: 'm' }),
  );
  const parsed = await exifr.sidecar(path);
  assert.ok(parsed);
  const flat = JSON.stringify(parsed);
  assert.match(flat, /A lighthouse at dusk/);
  assert.match(flat, /"Rating":2/);
});

test('captions written by other tools are read, whatever their form', () => {
  assert.equal(parseXmp(LIGHTROOM).description, 'Two dogs on the beach & a <kite>');
  assert.equal(parseXmp(LIGHTROOM).writtenByTessera, false);
  assert.equal(parseXmp(DIGIKAM).description, 'First line\nSecond line – café');
  assert.equal(parseXmp(DARKTABLE).description, null);
  const cases: [string, string, string | null][] = [
    [
      'attribute form',
      packet('').replace('rdf:about=""', 'rdf:about="" dc:description="A &amp; B&#10;C"'),
      'A & B\nC',
    ],
    [
      'plain text without rdf:Alt',
      packet('<dc:description>Just text</dc:description>'),
      'Just text',
    ],
    [
      'only tiff:ImageDescription',
      packet('<tiff:ImageDescription>From TIFF</tiff:ImageDescription>'),
      'From TIFF',
    ],
    [
      'no x-default: the first item',
      packet(
        '<dc:description><rdf:Alt><rdf:li xml:lang="fr">Bonjour</rdf:li></rdf:Alt></dc:description>',
      ),
      'Bonjour',
    ],
    [
      'CDATA',
      packet(
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default"><![CDATA[a <b> & c]]></rdf:li></rdf:Alt></dc:description>',
      ),
      'a <b> & c',
    ],
    [
      'commented out',
      packet(
        '<!-- <dc:description><rdf:Alt><rdf:li xml:lang="x-default">old</rdf:li></rdf:Alt></dc:description> -->',
      ),
      null,
    ],
    ['empty element', packet('<dc:description/>'), null],
    [
      'whitespace only',
      packet(
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">  \n </rdf:li></rdf:Alt></dc:description>',
      ),
      null,
    ],
    [
      'another prefix for the dc namespace',
      packet(
        '<purl:description><rdf:Alt><rdf:li xml:lang="x-default">Prefix</rdf:li></rdf:Alt></purl:description>',
        ' xmlns:purl="http://purl.org/dc/elements/1.1/"',
      ),
      'Prefix',
    ],
    ['not XMP at all', 'hello world', null],
    ['truncated', LIGHTROOM.slice(0, LIGHTROOM.indexOf('Two dogs')), null],
  ];
  for (const [what, text, expected] of cases)
    assert.equal(parseXmp(text).description, expected, what);
});

test('a caption is Tessera’s only while its hash matches the text', () => {
  const ours = buildXmp({ description: 'A cat on a sofa', tesseraModel: 'm' });
  const edited = ours.replaceAll('A cat on a sofa', 'My cat Felix on the sofa');
  assert.equal(parseXmp(ours).writtenByTessera, true);
  assert.equal(parseXmp(edited).description, 'My cat Felix on the sofa');
  assert.equal(parseXmp(edited).writtenByTessera, false);
  // A tool that re-serialised with CRLF line ends and decomposed accents changed nothing.
  const multi = buildXmp({ description: 'Line one\nCafé', tesseraModel: 'm' });
  const reserialised = multi.replace('Line one\nCafé', 'Line one\r\nCafe\u0301');
  assert.equal(parseXmp(reserialised).writtenByTessera, true);
  // A marker written as elements (some tools move simple properties out of attributes).
  const hash = captionSha256('Element marker');
  const elementForm = packet(
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Element marker</rdf:li></rdf:Alt></dc:description><tessera:CaptionSha256>${hash}</tessera:CaptionSha256>`,
  );
  assert.equal(parseXmp(elementForm).writtenByTessera, true);
  // A user who changed only the tiff:ImageDescription mirror owns the caption.
  const mirrorEdited = ours.replace(
    '<tiff:ImageDescription>A cat on a sofa</tiff:ImageDescription>',
    '<tiff:ImageDescription>Felix</tiff:ImageDescription>',
  );
  assert.deepEqual(
    [parseXmp(mirrorEdited).description, parseXmp(mirrorEdited).writtenByTessera],
    ['Felix', false],
  );
});

test('setting a caption in another tool’s packet adds only our lines and attributes', () => {
  const updated = setXmpCaption(DARKTABLE, 'A tabby & a <box>', 'model-a');
  const parsed = parseXmp(updated);
  assert.deepEqual(
    [parsed.description, parsed.writtenByTessera, parsed.captionBy],
    ['A tabby & a <box>', true, 'model-a'],
  );
  // Removing exactly what was added gives back the original, byte for byte.
  const added = [
    '\n   xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '\n   xmlns:tiff="http://ns.adobe.com/tiff/1.0/"',
    '\n   xmlns:tessera="https://tessera.app/ns/1.0/"',
    '\n   tessera:CaptionBy="model-a"',
    `\n   tessera:CaptionSha256="${captionSha256('A tabby & a <box>')}"`,
    '\n   <dc:description>\n    <rdf:Alt>\n     <rdf:li xml:lang="x-default">A tabby &amp; a &lt;box&gt;</rdf:li>\n    </rdf:Alt>\n   </dc:description>',
    '\n   <tiff:ImageDescription>A tabby &amp; a &lt;box&gt;</tiff:ImageDescription>',
  ];
  let stripped = updated;
  for (const piece of added) {
    assert.ok(stripped.includes(piece), piece);
    stripped = stripped.replace(piece, '');
  }
  assert.equal(stripped, DARKTABLE);
  // Replacing our own caption leaves one caption and gives back the same original.
  const again = setXmpCaption(updated, 'Second caption', 'model-b');
  assert.equal(parseXmp(again).description, 'Second caption');
  assert.equal(parseXmp(again).captionBy, 'model-b');
  assert.equal(again.match(/<dc:description>/g)?.length, 1);
  assert.equal(again.match(/CaptionSha256/g)?.length, 1);
  assert.equal(setXmpCaption(again, 'A tabby & a <box>', 'model-a'), updated);
});

test('setting a caption works in self-closing, empty and multi-Description packets', () => {
  const selfClosing =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/></rdf:RDF></x:xmpmeta>';
  const emptyRdf =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';
  const digikamNoCaption = DIGIKAM.replace(/<dc:description>.*<\/dc:description>\n/, '');
  for (const [what, text] of [
    ['self-closing', selfClosing],
    ['empty rdf:RDF', emptyRdf],
    ['one Description per namespace', digikamNoCaption],
  ]) {
    const updated = setXmpCaption(text!, 'New caption', 'm');
    assert.deepEqual(
      [parseXmp(updated).description, parseXmp(updated).writtenByTessera],
      ['New caption', true],
      what,
    );
  }
  assert.match(setXmpCaption(selfClosing, 'c', 'm'), /xmp:Rating="2"/);
  // The digiKam packet declares dc on its second Description only: ours must declare it again.
  assert.match(
    setXmpCaption(digikamNoCaption, 'c', 'm'),
    /digiKam:ColorLabel="0" xmlns:dc="http:\/\/purl\.org\/dc\/elements\/1\.1\/"/,
  );
  assert.throws(() => setXmpCaption(LIGHTROOM, 'mine now', 'm'), UserCaptionError);
  assert.throws(() => setXmpCaption('not xmp', 'c', 'm'), /no rdf:RDF/);
});

test('sidecar names: photo.jpg.xmp is written, photo.xmp is read too', () => {
  assert.equal(sidecarPathFor('/p/IMG 1.jpg'), '/p/IMG 1.jpg.xmp');
  assert.deepEqual(sidecarCandidates('/p/IMG 1.jpg'), [
    '/p/IMG 1.jpg.xmp',
    '/p/IMG 1.xmp',
    '/p/IMG 1.XMP',
  ]);
  assert.deepEqual(sidecarCandidates('/p/noext'), ['/p/noext.xmp']);
});

test('writing a sidecar: create, replace our own, insert into another tool’s', async () => {
  const folder = await freshFolder();
  const image = join(folder, 'café photo.jpg');
  const created = await writeSidecarCaption(image, 'First try', 'model-a');
  assert.deepEqual(created, { written: true, path: `${image}.xmp`, action: 'created' });
  assert.equal((await readSidecar(image))?.writtenByTessera, true);
  const replaced = await writeSidecarCaption(image, 'Second try', 'model-b');
  assert.equal(replaced.written && replaced.action, 'replaced');
  assert.equal((await readSidecar(image))?.description, 'Second try');

  const darktableImage = join(folder, 'dt.jpg');
  await writeFile(`${darktableImage}.xmp`, DARKTABLE);
  const inserted = await writeSidecarCaption(darktableImage, 'Inserted', 'model-a');
  assert.equal(inserted.written && inserted.action, 'inserted');
  const text = await readFile(`${darktableImage}.xmp`, 'utf8');
  assert.match(text, /darktable:params="ffffffff"/);
  assert.equal(parseXmp(text).description, 'Inserted');
  // The atomic write leaves no temporary files behind.
  assert.deepEqual((await readdir(folder)).sort(), ['café photo.jpg.xmp', 'dt.jpg.xmp']);
});

test('a user caption in either sidecar is never overwritten', async () => {
  const folder = await freshFolder();
  const own = join(folder, 'own.jpg');
  const userText = buildXmp({ description: 'Grandma’s garden, 1998' });
  await writeFile(`${own}.xmp`, userText);
  assert.deepEqual(await writeSidecarCaption(own, 'A garden', 'm'), {
    written: false,
    reason: 'user-caption',
    path: `${own}.xmp`,
    userCaption: 'Grandma’s garden, 1998',
  });
  assert.equal(await readFile(`${own}.xmp`, 'utf8'), userText);

  // Lightroom's photo.xmp beside photo.jpg: read, respected, and not touched.
  const lr = join(folder, 'lr.jpg');
  await writeFile(join(folder, 'lr.xmp'), LIGHTROOM);
  const result = await writeSidecarCaption(lr, 'Dogs', 'm');
  assert.equal(!result.written && result.reason, 'user-caption');
  assert.equal((await readSidecar(lr))?.path, join(folder, 'lr.xmp'));
  assert.equal(await readFile(join(folder, 'lr.xmp'), 'utf8'), LIGHTROOM);

  // A user who edited Tessera's caption owns it now.
  const edited = join(folder, 'edited.jpg');
  await writeSidecarCaption(edited, 'A dog', 'm');
  const ours = await readFile(`${edited}.xmp`, 'utf8');
  await writeFile(`${edited}.xmp`, ours.replaceAll('A dog', 'Rex, our dog'));
  const again = await writeSidecarCaption(edited, 'A brown dog', 'm');
  assert.equal(!again.written && again.reason, 'user-caption');
  assert.equal((await readSidecar(edited))?.description, 'Rex, our dog');
  assert.equal(await readSidecar(join(folder, 'none.jpg')), null);
});

test('read-only folders and sidecars are reported, not thrown, and nothing changes', async () => {
  const folder = await freshFolder();
  const lockedFolder = join(folder, 'locked');
  await mkdir(lockedFolder);
  await chmod(lockedFolder, 0o555);
  const result = await writeSidecarCaption(join(lockedFolder, 'a.jpg'), 'A caption', 'm');
  assert.equal(!result.written && result.reason, 'read-only');
  assert.match(
    !result.written && 'message' in result ? result.message : '',
    /read-only.*make it writable/,
  );
  assert.deepEqual(await readdir(lockedFolder), []);
  await chmod(lockedFolder, 0o755);

  const lockedFile = join(folder, 'b.jpg');
  await writeFile(`${lockedFile}.xmp`, DARKTABLE);
  await chmod(`${lockedFile}.xmp`, 0o444);
  const fileResult = await writeSidecarCaption(lockedFile, 'A caption', 'm');
  assert.equal(!fileResult.written && fileResult.reason, 'read-only');
  assert.equal(await readFile(`${lockedFile}.xmp`, 'utf8'), DARKTABLE);
});

test('a sidecar that is not XMP is left alone', async () => {
  const folder = await freshFolder();
  const image = join(folder, 'c.jpg');
  await writeFile(`${image}.xmp`, 'my notes about this photo');
  const result = await writeSidecarCaption(image, 'A caption', 'm');
  assert.equal(!result.written && result.reason, 'not-xmp');
  assert.equal(await readFile(`${image}.xmp`, 'utf8'), 'my notes about this photo');
});

test('a full disk fails with a clear error and leaves no partial file', async (t) => {
  const mountPoint = await freshFolder();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mountPoint], {
      stdio: 'pipe',
    });
  } catch {
    t.skip('cannot mount a small tmpfs here (needs root and mount rights) to fill a disk');
    return;
  }
  try {
    // Fill the file system, leaving less room than a sidecar needs.
    await writeFile(join(mountPoint, 'filler'), Buffer.alloc(16 * 1024 - 512)).catch(() => {});
    const image = join(mountPoint, 'full.jpg');
    await assert.rejects(
      writeSidecarCaption(image, 'A caption long enough to need a block'.repeat(50), 'm'),
      /disk is full/,
    );
    assert.deepEqual(await readdir(mountPoint), ['filler']);
  } finally {
    execFileSync('umount', [mountPoint]);
  }
});

test('the junk folder’s sidecar captions are found, with their owner', async () => {
  const junk = await makeJunkFolder(join(dir, 'junk'));
  try {
    for (const c of junk.cases) {
      if (c.scan.kind !== 'image') continue;
      const sidecar = await readSidecar(join(junk.root, ...c.relPath.split('/')));
      const expected = c.existingCaption?.source === 'sidecar' ? c.existingCaption : null;
      assert.deepEqual(
        sidecar && { text: sidecar.description, writtenByTessera: sidecar.writtenByTessera },
        expected && { text: expected.text, writtenByTessera: expected.writtenByTessera },
        c.relPath,
      );
    }
  } finally {
    await junk.cleanup();
  }
});
