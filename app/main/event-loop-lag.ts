/**
 * Measures the main process's event-loop delay while jobs run: the number that shows whether
 * inference really stays off the main thread (docs/architecture.md §Processes), so that IPC, menus
 * and windows stay responsive. Sampling starts with the first running job and stops when none is
 * left; each such window ends with one log line (p50/p99/max in ms), and the latest figures stay
 * readable.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { QueueEvent } from '../common/queue-contract.ts';

export interface LagStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** How many delay samples the figures are made of. */
  samples: number;
}

const TERMINAL = new Set<QueueEvent['type']>(['completed', 'failed', 'cancelled', 'paused']);

export class EventLoopLag {
  private histogram: IntervalHistogram | null = null;
  private readonly running = new Set<string>();
  private last: LagStats | null = null;

  /**
   * @param resolutionMs the sampling timer's period; delays are reported in excess of it
   * @param log receives one line per measuring window
   */
  constructor(
    private readonly resolutionMs = 10,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Starts a measuring window (if none is open). */
  start(): void {
    if (this.histogram !== null) return;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
  }

  /** Ends the window and returns (and keeps) its figures; null when none was open. */
  stop(): LagStats | null {
    const h = this.histogram;
    if (h === null) return null;
    h.disable();
    this.histogram = null;
    this.last = statsOf(h, this.resolutionMs);
    return this.last;
  }

  /** The figures so far: of the open window, else of the last one; null before any. */
  stats(): LagStats | null {
    return this.histogram !== null ? statsOf(this.histogram, this.resolutionMs) : this.last;
  }

  /** p99 event-loop delay in ms (the open window, else the last); null before any. */
  p99Ms(): number | null {
    return this.stats()?.p99Ms ?? null;
  }

  /** Feed it the queue's events: measures from a job's start until no job is running. */
  observe(event: QueueEvent): void {
    if (event.type === 'started') {
      this.running.add(event.jobId);
      this.start();
    } else if (TERMINAL.has(event.type) && this.running.delete(event.jobId)) {
      if (this.running.size > 0) return;
      const s = this.stop();
      if (s !== null && s.samples > 0)
        this.log(
          `main event-loop delay while jobs ran: p50 ${s.p50Ms.toFixed(1)} ms, ` +
            `p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms (${s.samples} samples)`,
        );
    }
  }
}

/** Node records each timer period whole: the delay is what exceeds the resolution. */
function statsOf(h: IntervalHistogram, resolutionMs: number): LagStats {
  const samples = h.count;
  if (samples === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, samples };
  const ms = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  return {
    p50Ms: ms(h.percentile(50)),
    p99Ms: ms(h.percentile(99)),
    maxMs: ms(h.max),
    meanMs: ms(h.mean),
    samples,
  };
}
