/**
 * The descriptors of the whole library in one Float32Array, so "more like this" is a tight
 * loop over memory instead of 100,000 row reads, for 1 KB of RAM per item.
 * The copy follows the database: it reloads only when this connection wrote or another one
 * committed, and then appends new items instead of reloading when it can.
 */
import type { GalleryContext } from './context.ts';
import { EMBEDDING_DIMS, EMBEDDING_VERSION } from './image-embedding.ts';

/** A local copy: an imported binding can compile to a property read inside the hot loop. */
const DIMS = EMBEDDING_DIMS;

interface Fingerprint {
  n: number;
  maxId: number;
  idSum: number;
}

export class EmbeddingIndex {
  private ids = new Float64Array(1024);
  private vecs = new Float32Array(1024 * EMBEDDING_DIMS);
  private size = 0;
  private fingerprint: Fingerprint = { n: 0, maxId: 0, idSum: 0 };
  private checkedAt: { dataVersion: number; writes: number } | null = null;

  constructor(private readonly ctx: GalleryContext) {}

  /** Brings the copy up to date with the database. */
  refresh(): void {
    const dataVersion = this.ctx.db.pragma('data_version', { simple: true }) as number;
    const writes = this.ctx.writeCount();
    if (this.checkedAt?.dataVersion === dataVersion && this.checkedAt.writes === writes) return;
    // One read transaction: the fingerprint and the rows come from the same snapshot.
    this.ctx.db.transaction(() => this.sync())();
    this.checkedAt = { dataVersion, writes };
  }

  private sync(): void {
    const now = this.ctx.get<Fingerprint>(
      `SELECT count(*) AS n, coalesce(max(asset_id), 0) AS maxId,
         coalesce(sum(asset_id), 0) AS idSum
       FROM embeddings WHERE version = ?`,
      EMBEDDING_VERSION,
    )!;
    const was = this.fingerprint;
    if (now.n === was.n && now.maxId === was.maxId && now.idSum === was.idSum) return;
    // New items have higher ids (AUTOINCREMENT): appending them is enough unless rows were
    // also deleted or back-filled, which the count and id sum reveal.
    const appended = this.rowsAfter(was.maxId);
    const appendedSum = appended.reduce((sum, [id]) => sum + id, 0);
    if (was.n + appended.length !== now.n || was.idSum + appendedSum !== now.idSum) {
      this.size = 0;
      this.add(this.rowsAfter(0));
    } else {
      this.add(appended);
    }
    this.fingerprint = now;
  }

  private rowsAfter(id: number): [number, Buffer][] {
    return this.ctx.db
      .prepare(
        `SELECT asset_id, vec FROM embeddings WHERE version = ? AND asset_id > ?
         ORDER BY asset_id`,
      )
      .raw()
      .all(EMBEDDING_VERSION, id) as [number, Buffer][];
  }

  private add(rows: [number, Buffer][]): void {
    const needed = this.size + rows.length;
    if (needed > this.ids.length) {
      const capacity = Math.max(needed, this.ids.length * 2);
      const ids = new Float64Array(capacity);
      ids.set(this.ids.subarray(0, this.size));
      const vecs = new Float32Array(capacity * EMBEDDING_DIMS);
      vecs.set(this.vecs.subarray(0, this.size * EMBEDDING_DIMS));
      this.ids = ids;
      this.vecs = vecs;
    }
    const bytes = new Uint8Array(this.vecs.buffer);
    for (const [id, blob] of rows) {
      if (blob.byteLength !== EMBEDDING_DIMS * 4) continue; // damaged row: leave it out
      this.ids[this.size] = id;
      bytes.set(blob, this.size * EMBEDDING_DIMS * 4);
      this.size++;
    }
  }

  /** The `limit` best cosine matches of `target` (a unit vector), best first. */
  search(target: Float32Array, skip: Set<number>, limit: number): { id: number; score: number }[] {
    const best: { id: number; score: number }[] = [];
    const t = target;
    const vecs = this.vecs;
    const dims = DIMS;
    for (let row = 0; row < this.size; row++) {
      const o = row * dims;
      // Four running sums: independent additions let the CPU overlap them (about 2× faster).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < dims; i += 4) {
        s0 += t[i]! * vecs[o + i]!;
        s1 += t[i + 1]! * vecs[o + i + 1]!;
        s2 += t[i + 2]! * vecs[o + i + 2]!;
        s3 += t[i + 3]! * vecs[o + i + 3]!;
      }
      const score = s0 + s1 + s2 + s3;
      if (best.length === limit && score <= best[limit - 1]!.score) continue;
      const id = this.ids[row]!;
      if (skip.has(id)) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { id, score });
      if (best.length > limit) best.pop();
    }
    return best;
  }
}
