/**
 * Ordered prefetch: starts the work for the next `depth` items while the caller consumes the
 * current one, and yields results in input order. Lets file reading and image decoding (sharp
 * runs on libuv's thread pool) overlap with inference in the other process.
 */
export async function* prefetchInOrder<T, R>(
  items: Iterable<T>,
  work: (item: T) => Promise<R>,
  depth: number,
): AsyncGenerator<R> {
  if (depth <= 0) {
    // No lookahead: each item's work starts only when the caller asks for it.
    for (const item of items) yield await work(item);
    return;
  }
  const source = items[Symbol.iterator]();
  const window: Promise<R>[] = [];
  const fill = () => {
    while (window.length < depth) {
      const next = source.next();
      if (next.done === true) return;
      const pending = work(next.value);
      // Rejections are seen when the item's turn comes; until then they must not go unhandled.
      pending.catch(() => {});
      window.push(pending);
    }
  };
  fill();
  while (window.length > 0) {
    const result = await window.shift()!;
    fill();
    yield result;
  }
}
