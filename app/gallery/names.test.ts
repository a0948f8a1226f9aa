/**
 * Board and tag names that SQLite would refuse with its own words (a NUL makes the name empty
 * to its CHECK) or that would break every list are refused with a sentence that says what to
 * do, under the library's user-error code, and nothing is stored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeError } from '../common/errors.ts';
import { openGallery } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-names-'));
const gallery = openGallery(dir);
after(() => {
  gallery.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a board name with a NUL or another control character is a user error, not SQLite’s', () => {
  for (const name of ['\u0000', '\u0000holiday', 'holi\u0000day', 'two\nlines', 'tab\there']) {
    let caught: unknown;
    try {
      gallery.createBoard(name);
    } catch (err) {
      caught = err;
    }
    const described = describeError(caught);
    assert.equal(described.code, 'invalid', JSON.stringify(name));
    assert.match(
      described.message,
      /^the board name contains a control character \(such as NUL, a tab or a line break\): type it without them$/,
    );
  }
  assert.deepEqual(gallery.listBoards(), []);
  assert.ok(gallery.createBoard('holiday 2026') > 0, 'an ordinary name still works');
});
