/**
 * Speed and time left of a transfer, from the bytes seen over the last few seconds (a window,
 * so a stall shows at once and the first slow second does not colour the whole estimate).
 */
export interface Rate {
  bytesPerSecond: number;
  /** Seconds left at the current speed; null while there is no speed to go by. */
  etaSeconds: number | null;
}

export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];
  private total = 0;

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.samples.push({ at: this.now(), bytes: 0 });
  }

  /** Counts `n` more bytes received now. */
  add(n: number): void {
    this.total += n;
    const at = this.now();
    this.samples.push({ at, bytes: this.total });
    while (this.samples.length > 2 && at - this.samples[1]!.at > this.windowMs)
      this.samples.shift();
  }

  rate(remainingBytes: number): Rate {
    const first = this.samples[0]!;
    const seconds = (this.now() - first.at) / 1000;
    const bytesPerSecond = seconds > 0 ? (this.total - first.bytes) / seconds : 0;
    return {
      bytesPerSecond,
      etaSeconds: bytesPerSecond > 0 ? remainingBytes / bytesPerSecond : null,
    };
  }
}
