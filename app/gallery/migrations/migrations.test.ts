import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { FIXTURE, FIXTURE_VERSIONS, fixturePath } from '../fixtures/make-fixtures.ts';
import { GALLERY_SCHEMA_VERSION, GalleryError, openGallery } from '../index.ts';
import { tempDir } from '../testing/helpers.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './index.ts';

test('migrations are numbered 10, 20, 30, … and the newest is the schema version', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => (i + 1) * 10),
  );
  assert.equal(LATEST_SCHEMA_VERSION, 80);
  assert.equal(GALLERY_SCHEMA_VERSION, 80);
});

test('a new folder becomes an empty library at the newest schema, with no backup', () => {
  const dir = join(tempDir(), 'new-library');
  const gallery = openGallery(dir);
  try {
    assert.equal(gallery.schemaVersion(), 80);
    assert.equal(gallery.integrityCheck(), 'ok');
    assert.ok(existsSync(join(dir, 'objects')) && existsSync(join(dir, 'thumbs')));
    assert.deepEqual(gallery.query({}).items, []);
  } finally {
    gallery.close();
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.bak')),
    [],
  );
  const db = new Database(join(dir, 'library.sqlite'), { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  // Opening again changes nothing and makes no backup either.
  openGallery(dir).close();
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.bak')),
    [],
  );
});

/** Every table, index, view and trigger definition of a database file. */
function schemaOf(dbPath: string): unknown[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name').all();
  } finally {
    db.close();
  }
}

for (const version of FIXTURE_VERSIONS) {
  test(`a version ${version} library migrates to 80 with every row intact and a backup`, () => {
    const dir = tempDir();
    const dbPath = join(dir, 'library.sqlite');
    copyFileSync(fixturePath(version), dbPath);
    const gallery = openGallery(dir);
    try {
      assert.equal(gallery.schemaVersion(), 80);
      assert.equal(gallery.integrityCheck(), 'ok');

      const heart = gallery.getItem(1)!;
      assert.equal(heart.title, FIXTURE.heartPrompt);
      assert.equal(heart.starred, true);
      assert.equal(heart.rating, 4);
      assert.deepEqual(heart.generation!.codes, FIXTURE.codes);
      assert.equal(heart.generation!.recipe.prompt, FIXTURE.heartPrompt);
      assert.deepEqual(heart.score, { logProbPerToken: -1.25, candidates: 4 });
      assert.deepEqual(heart.tags, ['Love']);
      assert.deepEqual(heart.boards, [{ id: 1, name: 'Hearts' }]);
      assert.deepEqual(heart.children, [{ id: 2, op: 'infill' }]);
      assert.equal(gallery.getItem(2)!.parents[0]!.maskSha256, 'c'.repeat(64));

      const photo = gallery.getItem(3)!;
      assert.equal(photo.title, FIXTURE.photoCaption);
      assert.deepEqual(photo.exif, { Make: 'Canon', ISO: 200 });
      assert.deepEqual(
        photo.captions.map((c) => [c.source, c.role]),
        [
          ['user', 'current'],
          ['model', 'suggestion'],
        ],
      );
      // The search index came along: found by prompt, caption and tag.
      assert.deepEqual(
        gallery.query({ text: 'sparkles', sort: 'oldest' }).items.map((i) => i.id),
        [1, 2],
      );
      assert.deepEqual(
        gallery.query({ text: 'tabby' }).items.map((i) => i.id),
        [3],
      );
      assert.deepEqual(
        gallery.query({ tag: 'love', sort: 'oldest' }).items.map((i) => i.id),
        [1, 2],
      );
      assert.deepEqual(gallery.listBoards(), [{ id: 1, name: 'Hearts', autoAdd: true, count: 2 }]);

      if (version >= 20) {
        assert.deepEqual(photo.files, [join(FIXTURE.rootPath, FIXTURE.relPath)]);
        assert.equal(gallery.libraryFile(1, FIXTURE.relPath)!.mtimeMs % 1, 0.5);
        // Search reaches the photo by its file's name and folder once migrated.
        assert.deepEqual(
          gallery.query({ text: 'tabby cats' }).items.map((i) => i.sha256),
          [FIXTURE.photoSha],
        );
        assert.equal(
          gallery.captionResult(FIXTURE.photoSha, 'tessera/vq-ar-emoji32-cpu-1h')!.status,
          'done',
        );
      }
      if (version >= 30) {
        assert.equal(gallery.jobs.get(FIXTURE.jobId)!.status, 'completed');
        assert.deepEqual(
          gallery.jobs.list({ statuses: ['paused'] }).map((j) => j.checkpoint),
          [{ next: 'cats/tabby.jpg' }],
        );
      }
      // Tables added after the fixture's version work.
      const job = gallery.jobs.submit({ kind: 'caption-folder', modelId: 'm', request: {} });
      assert.equal(job.status, 'queued');
      gallery.jobs.recordFile(job.id, {
        path: '/photos/cat.jpg',
        status: 'captioned',
        caption: 'a cat',
        message: null,
      });
      assert.deepEqual(
        gallery.jobs.files(job.id).files.map((f) => [f.path, f.status]),
        [['/photos/cat.jpg', 'captioned']],
      );
      assert.deepEqual(gallery.similar(1, 5), []); // no descriptors yet: nothing to compare
      // Nothing was measured before schema 80; a measured item then sorts first, the photo
      // included, and the others keep their order after it.
      assert.equal(heart.likelihood, null);
      assert.deepEqual(
        gallery.query({ sort: 'surprise' }).items.map((i) => i.id),
        [3, 2, 1],
      );
      gallery.setLikelihood(1, 'tessera/jetformer-emoji32', 3.5);
      gallery.setLikelihood(3, 'tessera/jetformer-emoji32', 4.25);
      assert.deepEqual(
        gallery.query({ sort: 'surprise' }).items.map((i) => i.id),
        [3, 1, 2],
      );
      assert.deepEqual(gallery.getItem(1)!.likelihood, {
        bitsPerDim: 3.5,
        modelId: 'tessera/jetformer-emoji32',
        measuredAt: gallery.getItem(1)!.likelihood!.measuredAt,
      });
      gallery.trash([3]);
      assert.equal(gallery.getItem(3)!.likelihood!.bitsPerDim, 4.25); // kept in the trash
    } finally {
      gallery.close();
    }
    // Upgraded step by step or created new, a library ends with one and the same schema (a
    // released migration edited in place, or a stale fixture, shows up here).
    const fresh = join(tempDir(), 'fresh');
    openGallery(fresh).close();
    assert.deepEqual(schemaOf(dbPath), schemaOf(join(fresh, 'library.sqlite')));

    const backup = new Database(`${dbPath}.bak-v${version}`, { readonly: true });
    try {
      assert.equal(backup.pragma('user_version', { simple: true }), version);
      assert.equal(backup.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(
        (backup.prepare('SELECT count(*) AS n FROM assets').get() as { n: number }).n,
        3,
      );
    } finally {
      backup.close();
    }
  });
}

test('a library from a newer Tessera is refused and left byte-identical', () => {
  const dir = tempDir();
  const dbPath = join(dir, 'library.sqlite');
  const db = new Database(dbPath);
  db.exec('CREATE TABLE future (x INTEGER) STRICT; INSERT INTO future VALUES (1)');
  db.pragma('user_version = 90');
  db.close();
  const before = readFileSync(dbPath);
  const filesBefore = readdirSync(dir).sort();
  assert.throws(
    () => openGallery(dir),
    (err: unknown) =>
      err instanceof GalleryError &&
      err.code === 'newer-database' &&
      /schema 90, this app knows 80\): update Tessera/.test(err.message),
  );
  assert.deepEqual(readFileSync(dbPath), before);
  assert.deepEqual(
    readdirSync(dir)
      .filter((f) => f.startsWith('library.sqlite'))
      .sort(),
    filesBefore.filter((f) => f.startsWith('library.sqlite')),
  );
});

test('a file that is not SQLite is refused, named, and left untouched', () => {
  const dir = tempDir();
  const dbPath = join(dir, 'library.sqlite');
  const garbage = Buffer.from('these are my holiday notes, not a database\n'.repeat(100));
  writeFileSync(dbPath, garbage);
  assert.throws(
    () => openGallery(dir),
    (err: unknown) =>
      err instanceof GalleryError &&
      err.code === 'corrupt-database' &&
      err.message.includes(dbPath) &&
      /move it aside/.test(err.message),
  );
  assert.deepEqual(readFileSync(dbPath), garbage);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('library.sqlite')),
    ['library.sqlite'],
  );
});

test("another program's SQLite file is refused rather than turned into a library", () => {
  const dir = tempDir();
  const dbPath = join(dir, 'library.sqlite');
  const db = new Database(dbPath);
  db.exec('CREATE TABLE contacts (name TEXT)');
  db.close();
  const before = readFileSync(dbPath);
  assert.throws(
    () => openGallery(dir),
    (err: unknown) =>
      err instanceof GalleryError &&
      err.code === 'corrupt-database' &&
      /not a Tessera library/.test(err.message),
  );
  assert.deepEqual(readFileSync(dbPath), before);
});
