/**
 * What the per-step benchmarks of the multi-graph families share (bench/jetformer-step.ts,
 * bench/transfusion-step.ts): recording the graph runs a real generation makes, replaying them
 * bare beside the loop's own steps, and the table rows. A "bare" step is the very runs one step
 * of the loop made (the same feeds, the same outputs asked for), replayed back to back with
 * nothing in between, so the ratio Tessera ÷ bare is what the loop adds around onnxruntime.
 */
import * as ort from 'onnxruntime-node';

export const now = () => Number(process.hrtime.bigint()) / 1e6;

export const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;

type Session = ort.InferenceSession;
type RunArgs = Parameters<Session['run']>;

/** One recorded run: its session and arguments, inputs copied as they were at the call. */
export interface RecordedRun {
  session: Session;
  args: RunArgs;
}

/** A copy of a float32 or int64 tensor (the inputs these graphs take). */
function copyOf(t: ort.Tensor): ort.Tensor {
  if (t.type === 'int64') return new ort.Tensor('int64', (t.data as BigInt64Array).slice(), t.dims);
  if (t.type === 'float32')
    return new ort.Tensor('float32', (t.data as Float32Array).slice(), t.dims);
  throw new Error(`a recorded run fed a ${t.type} tensor, which the step benchmarks do not copy`);
}

/**
 * Runs `body` with every run of `sessions` recorded per role in call order. Inputs are copied
 * at the call: a loop may refill the same buffers at the next step, and the replay must see
 * what each run saw.
 */
export async function recordRuns<R extends string>(
  sessions: Record<R, Session>,
  body: () => Promise<unknown>,
): Promise<Record<R, RecordedRun[]>> {
  const runs = {} as Record<R, RecordedRun[]>;
  const restore = (Object.keys(sessions) as R[]).map((role) => {
    const session = sessions[role];
    const original = session.run;
    runs[role] = [];
    session.run = ((feed: Record<string, ort.Tensor>, ...rest: unknown[]) => {
      const copy: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feed)) copy[name] = copyOf(t);
      runs[role].push({ session, args: [copy, ...rest] as unknown as RunArgs });
      return original.apply(session, [feed, ...rest] as unknown as RunArgs);
    }) as Session['run'];
    return () => (session.run = original);
  });
  try {
    await body();
  } finally {
    restore.forEach((r) => r());
  }
  return runs;
}

/** Milliseconds of one step replayed bare: its recorded runs back to back. */
export async function replayStep(step: RecordedRun[]): Promise<number> {
  const t = now();
  for (const { session, args } of step) await session.run(...args);
  return now() - t;
}

/**
 * Pairs each step of a loop with its bare twin, timed right after it: `mark(k)`, called from
 * the loop's per-step callback once step k is done, records step k's time (since the previous
 * mark returned) and then replays bare step k. Both of a pair run within a millisecond or two,
 * so the machine's load, which drifts over longer spans, weighs on them alike.
 */
export function pairedSteps(bare: (RecordedRun[] | undefined)[], samples: StepSamples) {
  let last: number | null = null;
  return {
    async mark(k: number): Promise<void> {
      const t = now();
      const twin = bare[k];
      if (last !== null && twin !== undefined) {
        samples.guided.push(t - last);
        samples.bare.push(await replayStep(twin));
      }
      last = now();
    },
  };
}

/** Milliseconds between successive calls of `mark`, the first call starting the clock. */
export function stepClock(times: number[]) {
  let last: number | null = null;
  return {
    mark(): void {
      const t = now();
      if (last !== null) times.push(t - last);
      last = t;
    },
  };
}

/**
 * A family's generation for the step benchmark: runs one image with `settings` and `seed`,
 * calling `afterStep(i)` when step i is done.
 */
export type StepRun<S> = (
  settings: S,
  seed: number,
  afterStep: (i: number) => Promise<void>,
) => Promise<unknown>;

/**
 * Warm-up, then rounds of one guided generation (each step timed beside its bare twin, which
 * `paired` records and sets up) and one plain one, until about `rounds` steps are sampled.
 */
export async function runStepBenchmark<S>(opts: {
  run: StepRun<S>;
  guided: S;
  plain: S;
  stepsPerImage: number;
  rounds: number;
  paired: (
    settings: S,
    seed: number,
    samples: StepSamples,
  ) => Promise<(i: number) => Promise<void>>;
}): Promise<{ median: StepQuantiles; p10: StepQuantiles }> {
  const timed = async (settings: S, seed: number): Promise<number[]> => {
    const times: number[] = [];
    const clock = stepClock(times);
    await opts.run(settings, seed, async () => clock.mark());
    return times;
  };
  const samples: StepSamples = { bare: [], guided: [], plain: [] };
  await timed(opts.guided, 0); // warm up
  for (let r = 0; r < Math.max(1, Math.floor(opts.rounds / opts.stepsPerImage)); r++) {
    const mark = await opts.paired(opts.guided, r + 1, samples);
    await opts.run(opts.guided, r + 1, mark);
    samples.plain.push(...(await timed(opts.plain, r + 1)));
  }
  return stepQuantiles(samples);
}

export interface StepSamples {
  bare: number[];
  guided: number[];
  plain: number[];
}

export interface StepQuantiles {
  bareStepMs: number;
  tesseraStepMs: number;
  oneRowStepMs: number;
}

export function stepQuantiles(s: StepSamples): { median: StepQuantiles; p10: StepQuantiles } {
  const at = (q: number) => ({
    bareStepMs: quantile(s.bare, q),
    tesseraStepMs: quantile(s.guided, q),
    oneRowStepMs: quantile(s.plain, q),
  });
  return { median: at(0.5), p10: at(0.1) };
}

/** Table rows in bench/engine.ts's shape: [measure, value, goal]. */
export function stepRows(
  id: string,
  step: string,
  graphs: string,
  t: { median: StepQuantiles; p10: StepQuantiles },
): [string, string, string][] {
  return (
    [
      ['median', t.median],
      ['p10', t.p10],
    ] as const
  ).flatMap(([name, q]): [string, string, string][] => [
    [
      `${id}: ${step} ÷ bare ${graphs} (2 rows, ${name})`,
      (q.tesseraStepMs / q.bareStepMs).toFixed(3),
      '≤ 1.05',
    ],
    [
      `${id}: CFG 2-row step ÷ 1-row step (${name})`,
      (q.tesseraStepMs / q.oneRowStepMs).toFixed(3),
      '',
    ],
    [
      `${id}: bare / Tessera / 1-row step (ms, ${name})`,
      `${q.bareStepMs.toFixed(3)} / ${q.tesseraStepMs.toFixed(3)} / ${q.oneRowStepMs.toFixed(3)}`,
      '',
    ],
  ]);
}

export function printRows(rows: [string, string, string][]): void {
  console.log('| measure | value | goal |\n|---|---:|---|');
  for (const [k, v, g] of rows) console.log(`| ${k} | ${v} | ${g} |`);
}
