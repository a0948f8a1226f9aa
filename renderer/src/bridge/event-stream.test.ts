/** The server-sent-event reader that replaced EventSource, fed the bytes web mode sends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEventStream } from './event-stream.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(bytes.encode(c));
      controller.close();
    },
  });
}

test('frames split anywhere (even inside a character) arrive whole, comments are skipped', async () => {
  const text =
    ': connected\n\nevent: jobs:event\ndata: {"type":"started","title":"cœur ❤"}\n\n' +
    'event: gallery:changed\r\ndata: {"assetIds":[1]}\r\n\r\ndata: a\ndata: b\n\nevent: cut\ndata: x';
  const bytes = new TextEncoder().encode(text);
  for (const size of [1, 3, 7, bytes.length]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const seen: [string, string][] = [];
    await readEventStream(
      new ReadableStream({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      }),
      (name, data) => seen.push([name, data]),
    );
    assert.deepEqual(
      seen,
      [
        ['jobs:event', '{"type":"started","title":"cœur ❤"}'],
        ['gallery:changed', '{"assetIds":[1]}'],
        ['message', 'a\nb'],
      ],
      `chunks of ${size} bytes`,
    );
  }
  assert.deepEqual(await collect(streamOf([])), []);
});

async function collect(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const names: string[] = [];
  await readEventStream(stream, (name) => names.push(name));
  return names;
}
