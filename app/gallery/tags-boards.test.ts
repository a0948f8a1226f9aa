import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GalleryError } from './index.ts';
import { generation, painters, tempGallery } from './testing/helpers.ts';

const isCode = (code: string) => (err: unknown) => err instanceof GalleryError && err.code === code;

test('tags are case-insensitive, counted, searchable, and vanish when unused', async () => {
  const gallery = tempGallery();
  const a = await gallery.addGeneration(generation(painters.redDisc!, {}, {}, 1));
  const b = await gallery.addGeneration(generation(painters.redDisc!, {}, {}, 2));
  gallery.addTags([a, b], ['Sunset', ' sunset ', 'Beach'], 'model');
  gallery.addTags([a], ['SUNSET']); // the user confirms the model's tag
  assert.deepEqual(gallery.listTags(), [
    { name: 'Beach', count: 2 },
    { name: 'Sunset', count: 2 },
  ]);
  assert.deepEqual(gallery.getItem(a)!.tags, ['Beach', 'Sunset']);
  assert.deepEqual(
    gallery.query({ text: 'beach', sort: 'oldest' }).items.map((i) => i.id),
    [a, b],
  );
  gallery.removeTags([a, b], ['beach']);
  assert.deepEqual(gallery.listTags(), [{ name: 'Sunset', count: 2 }]);
  assert.deepEqual(gallery.query({ text: 'beach' }).items, []);
  gallery.removeTags([b], ['sunset']);
  assert.deepEqual(
    gallery.query({ tag: 'sunset' }).items.map((i) => i.id),
    [a],
  );
  assert.throws(() => gallery.addTags([a], ['  ']), isCode('invalid'));
  assert.throws(() => gallery.addTags([999], ['x']), isCode('not-found'));
});

test('boards hold items; auto-add boards receive every new generation', async () => {
  const gallery = tempGallery();
  const inbox = gallery.createBoard('Inbox', true);
  const picks = gallery.createBoard('Picks');
  assert.throws(() => gallery.createBoard('inbox'), isCode('invalid'));
  assert.throws(() => gallery.createBoard(''), isCode('invalid'));
  const a = await gallery.addGeneration(generation(painters.blueSky!, {}, { boardId: picks }, 1));
  gallery.setBoardAutoAdd(inbox, false);
  const b = await gallery.addGeneration(generation(painters.blueSky!, {}, {}, 2));
  assert.deepEqual(gallery.getItem(a)!.boards, [
    { id: inbox, name: 'Inbox' },
    { id: picks, name: 'Picks' },
  ]);
  assert.deepEqual(gallery.getItem(b)!.boards, []);
  gallery.addToBoard(picks, [a, b, b]);
  gallery.trash([b]);
  assert.deepEqual(gallery.listBoards(), [
    { id: inbox, name: 'Inbox', autoAdd: false, count: 1 },
    { id: picks, name: 'Picks', autoAdd: false, count: 1 },
  ]);
  gallery.restore([b]);
  gallery.removeFromBoard(picks, [a]);
  assert.deepEqual(
    gallery.query({ boardId: picks }).items.map((i) => i.id),
    [b],
  );
  gallery.renameBoard(picks, 'Best');
  assert.throws(() => gallery.renameBoard(picks, 'INBOX'), isCode('invalid'));
  gallery.renameBoard(picks, 'best'); // its own name in another case is fine
  gallery.deleteBoard(inbox);
  assert.deepEqual(gallery.listBoards(), [{ id: picks, name: 'best', autoAdd: false, count: 1 }]);
  assert.notEqual(gallery.getItem(a), null); // deleting a board keeps its items
  assert.throws(() => gallery.deleteBoard(inbox), isCode('not-found'));
  assert.throws(() => gallery.addToBoard(picks, [404]), isCode('not-found'));
});
