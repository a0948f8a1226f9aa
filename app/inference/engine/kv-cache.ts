/**
 * The decoder's KV cache: after each run the `present.*` outputs become the next run's
 * `past_key_values.*` inputs (names from the manifest), and the replaced tensors are released.
 */
import { float32Tensor, type Feed, type Outputs, type Tensor } from './ort.ts';

export interface KvLayout {
  layers: number;
  kvHeads: number;
  headDim: number;
  pastKey: string;
  pastValue: string;
  presentKey: string;
  presentValue: string;
}

export class KvCache {
  private past: Map<string, Tensor>;
  length = 0;

  constructor(
    private readonly layout: KvLayout,
    readonly batch: number,
  ) {
    this.past = new Map();
    for (const name of this.pastNames()) {
      this.past.set(
        name,
        float32Tensor(new Float32Array(0), [batch, layout.kvHeads, 0, layout.headDim]),
      );
    }
  }

  private pastNames(): string[] {
    const names: string[] = [];
    for (let i = 0; i < this.layout.layers; i++) {
      names.push(
        this.layout.pastKey.replace('{i}', String(i)),
        this.layout.pastValue.replace('{i}', String(i)),
      );
    }
    return names;
  }

  feed(): Feed {
    return Object.fromEntries(this.past);
  }

  /** Takes the run's presents as the new past, releasing the old tensors. */
  update(outputs: Outputs, added: number): void {
    for (let i = 0; i < this.layout.layers; i++) {
      for (const [pastPattern, presentPattern] of [
        [this.layout.pastKey, this.layout.presentKey],
        [this.layout.pastValue, this.layout.presentValue],
      ] as const) {
        const present = outputs[presentPattern.replace('{i}', String(i))];
        if (present === undefined) throw new Error(`decoder output ${presentPattern} is missing`);
        const name = pastPattern.replace('{i}', String(i));
        this.past.get(name)?.dispose?.();
        this.past.set(name, present);
      }
    }
    this.length += added;
  }

  dispose(): void {
    for (const t of this.past.values()) t.dispose?.();
    this.past.clear();
  }
}
