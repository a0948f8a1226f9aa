/**
 * tessera compare --prompt TEXT [--models A,B,…] [--seed N] --out sheet.png: the prompt through
 * every installed model that can generate (or those named), same seed, each at its own
 * defaults; every result is added to the library, and the sheet shows them side by side.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ModelManifest } from '../../common/model-manifest.ts';
import { CompareError, compareRequest, modelsToCompare } from '../../jobs/compare-jobs.ts';
import { promptSelfScore } from '../../jobs/prompt-score.ts';
import { writeFileAtomic } from '../../media/atomic-write.ts';
import { resolveModel } from '../../models/installed.ts';
import { compareSheet, type SheetCell } from '../compare-sheet.ts';
import type { CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { jobOutcomeItem } from '../library-items.ts';
import { numberOption, outOption, promptOption, providerOption, type Values } from '../options.ts';
import { runJobs } from '../run-jobs.ts';

export async function compareCommand(ctx: CommandContext, values: Values): Promise<void> {
  const prompt = promptOption(values);
  const out = outOption(values);
  const seed = numberOption(values, 'seed', randomInt(0, 2 ** 32), [0, 0xffffffff], true);
  const provider = providerOption(values);
  const threads = numberOption(values, 'threads', 2, [1, 64], true);
  const wanted =
    typeof values.models === 'string'
      ? values.models
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : undefined;
  let manifests: ModelManifest[];
  try {
    manifests = await modelsToCompare(ctx.home, wanted);
  } catch (err) {
    if (err instanceof CompareError) throw new CliError(err.message, 2);
    throw err;
  }
  const jobs = ctx.library().jobs;
  const batchId = randomUUID();
  const submitted = manifests.map(
    (m) =>
      jobs.submit({
        kind: 'generate',
        modelId: m.id,
        request: compareRequest(m, { prompt, seed, provider, threads }),
        batchId,
      }).id,
  );
  const finished = await runJobs(ctx, submitted, {
    label: (job) => `compare: ${job.modelId}`,
  });
  const cells: (SheetCell & { item: number; alreadyInLibrary: boolean })[] = [];
  for (const [i, id] of submitted.entries()) {
    const job = finished.find((j) => j.id === id) ?? jobs.get(id)!;
    const item = jobOutcomeItem(ctx, job);
    const png = await readFile(item.filePath!);
    const manifest = manifests[i]!;
    cells.push({
      png,
      modelId: manifest.id,
      family: manifest.family,
      seconds: (item.generation?.durationMs ?? 0) / 1000,
      score: await promptSelfScore(
        ctx.client,
        await resolveModel(ctx.home, manifest.id),
        png,
        prompt,
        provider,
      ),
      item: item.id,
      alreadyInLibrary:
        (job.result as { alreadyInLibrary?: number } | null)?.alreadyInLibrary !== undefined,
    });
  }
  await writeFileAtomic(out, await compareSheet(prompt, cells));
  if (ctx.json)
    ctx.print(
      JSON.stringify({
        out,
        prompt,
        seed,
        results: cells.map((c) => ({
          model: c.modelId,
          family: c.family,
          item: c.item,
          seconds: c.seconds,
          score: c.score,
          alreadyInLibrary: c.alreadyInLibrary,
        })),
      }),
    );
  else {
    for (const c of cells)
      ctx.print(
        `${c.modelId} (${c.family})  item ${c.item}  ${c.seconds.toFixed(2)} s/image  ${c.score === null ? 'no self-score' : `self-score ${c.score.toFixed(3)}/token`}`,
      );
    ctx.print(`${out}  ${cells.length} models, seed ${seed}`);
  }
}
