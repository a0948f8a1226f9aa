import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captionFromName, conceptKey, segmentRunTogether } from './captions.ts';

const lexicon = new Set([
  'snowman',
  'without',
  'snow',
  'black',
  'up',
  'pointing',
  'backhand',
  'hearts',
]);

test('hyphenated names become captions', () => {
  assert.equal(
    captionFromName('woman-golfing-dark-skin-tone', false, lexicon),
    'woman golfing dark skin tone',
  );
});

test('run-together names are split into known words', () => {
  assert.deepEqual(segmentRunTogether('snowmanwithoutsnow', lexicon), [
    'snowman',
    'without',
    'snow',
  ]);
  assert.equal(
    captionFromName('blackuppointingbackhand', true, lexicon),
    'black up pointing backhand',
  );
  assert.equal(captionFromName('2hearts', true, lexicon), '2 hearts');
});

test('unknown runs stay whole instead of shattering into letters', () => {
  assert.deepEqual(segmentRunTogether('zqxwv', lexicon), ['zqxwv']);
  assert.deepEqual(segmentRunTogether('snowzqx', lexicon), ['snow', 'zqx']);
});

test('concept keys drop skin tones only', () => {
  assert.equal(conceptKey('woman golfing medium-dark skin tone'), 'woman golfing');
  assert.equal(conceptKey('thumbs up light skin tone'), 'thumbs up');
  assert.equal(conceptKey('dark sunglasses'), 'dark sunglasses');
});
