/** Decompression bombs for tests: small zlib data that inflates to a lot, and memory checks. */
import { spawnSync } from 'node:child_process';
import { createDeflate } from 'node:zlib';

const MIB = 1024 * 1024;

/** zlib data that inflates to `mib` MiB of zeros (about 1 KiB per MiB), never held inflated. */
export async function zlibZeros(mib: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(MIB);
  for (let i = 0; i < mib; i++)
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  deflate.end();
  await done;
  return Buffer.concat(parts);
}

/**
 * Runs `script` (an ES module body, run from `cwd`, with `process.argv[1]` set to `arg`) in a
 * fresh Node process, so that its peak memory is its own. The script calls `mark()` just before
 * the work to measure and `report(value)` after it; the result is that value, with `grewMiB`
 * (how far peak memory rose above the mark) and `ms` (time from mark to report).
 */
export function measureInChild<T>(
  script: string,
  arg: string,
  cwd: string,
): { value: T; grewMiB: number; ms: number } {
  const prelude = `
    let base = 0, started = 0;
    const mark = () => { base = process.memoryUsage().rss; started = performance.now(); };
    const report = (value) => console.log(JSON.stringify({ value,
      grewMiB: (process.resourceUsage().maxRSS * 1024 - base) / ${MIB},
      ms: performance.now() - started }));`;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `${prelude}\n${script}`, arg],
    { cwd, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`the measured script failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    value: T;
    grewMiB: number;
    ms: number;
  };
}
