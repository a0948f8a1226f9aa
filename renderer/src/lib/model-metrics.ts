/**
 * A model manifest's measured metrics in words: each known metric gets a plain name, a one-line
 * explanation and its scale, grouped by what a user asks of a model (does it follow prompts, how
 * real do its images look, how good are its captions, how fast is it). Also whether the
 * measurements say the model does not yet follow prompts ("experimental"). Pure.
 */
import { formatNumber } from './format.ts';

export interface MetricLine {
  /** the manifest's own dotted key, kept for the curious and for tests */
  key: string;
  label: string;
  value: string;
  explain: string;
  scale: string;
}

export type MetricGroupName =
  'Follows prompts' | 'Image quality' | 'Captions' | 'Speed' | 'Evaluation';

export interface MetricGroup {
  name: MetricGroupName;
  lines: MetricLine[];
}

/**
 * Below this share of generations whose prompt an independent classifier names among its top
 * five guesses (the best setting measured), a model is labelled experimental: it draws images,
 * but not yet the ones asked for. Emoji classifiers put the right class in their top five for
 * about two thirds of real test images, so 10 % is far below anything usable.
 */
export const EXPERIMENTAL_BELOW_TOP5 = 0.1;

type Raw = number | string | boolean | number[];

/** The metrics as dotted key → leaf value (arrays of numbers kept whole). */
function leaves(metrics: Record<string, unknown>): Map<string, Raw> {
  const out = new Map<string, Raw>();
  const visit = (v: unknown, key: string) => {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.set(key, v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) out.set(key, v);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        visit(x, key === '' ? k : `${key}.${k}`);
  };
  visit(metrics, '');
  return out;
}

const pct = (v: Raw) =>
  typeof v === 'number' ? `${formatNumber(Number((v * 100).toFixed(1)))} %` : String(v);
const num =
  (unit = '') =>
  (v: Raw) =>
    typeof v === 'number' ? `${formatNumber(v)}${unit}` : String(v);

interface Rule {
  pattern: RegExp;
  group: MetricGroupName;
  /** called with the pattern's groups */
  label: (m: RegExpMatchArray) => string;
  explain: string;
  scale: string;
  format: (v: Raw) => string;
}

const guidance = (m: RegExpMatchArray, at: number) =>
  m[at] === undefined ? '' : ` at guidance ${m[at]}`;
const unseen = (m: RegExpMatchArray, at: number) =>
  m[at] === undefined ? '' : ', classes never seen in training';

const FD_SCALE = '0 or more; lower is better; 0 = indistinguishable from real test images';

const RULES: Rule[] = [
  {
    pattern: /^adherence(?:_cfg([\d.]+))?\.top1$/,
    group: 'Follows prompts',
    label: (m) => `Draws what the prompt names (first guess)${guidance(m, 1)}`,
    explain:
      "How often an independent classifier's first guess for a generated image is the prompt's subject.",
    scale: '0–100 %, higher is better',
    format: pct,
  },
  {
    pattern: /^adherence(?:_cfg([\d.]+))?\.top5$/,
    group: 'Follows prompts',
    label: (m) => `Draws what the prompt names (top 5 guesses)${guidance(m, 1)}`,
    explain: "How often the prompt's subject is among the classifier's five guesses for an image.",
    scale: `0–100 %, higher is better; below ${EXPERIMENTAL_BELOW_TOP5 * 100} % the model is experimental`,
    format: pct,
  },
  {
    pattern: /^adherenceTop5VsClassifier(?:_cfg([\d.]+))?$/,
    group: 'Follows prompts',
    label: (m) => `Prompt-following compared with real images${guidance(m, 1)}`,
    explain:
      'Top-5 prompt-following divided by what the classifier scores on real pictures of the same subjects.',
    scale: '0–100 %; 100 % = generations as recognisable as real images',
    format: pct,
  },
  {
    pattern: /^classifierOnReal\.top([15])$/,
    group: 'Follows prompts',
    label: (m) => `Judge on real images (${m[1] === '1' ? 'first guess' : 'top 5 guesses'})`,
    explain:
      "The judging classifier's own accuracy on real test images: the ceiling for the lines above.",
    scale: '0–100 %',
    format: pct,
  },
  {
    pattern: /^fd(?:\.cfg([\d.]+))?\.value$/,
    group: 'Image quality',
    label: (m) => `Distance from real images (FD)${guidance(m, 1)}`,
    explain:
      "Fréchet distance between generated and real test images, in the judging classifier's features.",
    scale: FD_SCALE,
    format: num(),
  },
  {
    pattern: /^fd(?:\.cfg([\d.]+))?\.interval95$/,
    group: 'Image quality',
    label: (m) => `Distance from real images, 95 % interval${guidance(m, 1)}`,
    explain:
      'The range the distance above falls in 95 times out of 100 (bootstrap over test images).',
    scale: 'same scale as the distance',
    format: (v) => (Array.isArray(v) ? v.map((x) => formatNumber(x)).join(' – ') : String(v)),
  },
  {
    pattern: /^fd\.floorTrainVsTest$/,
    group: 'Image quality',
    label: () => 'Distance between two sets of real images',
    explain:
      'Training images against test images: what real pictures score, so the best a model can reach.',
    scale: `${FD_SCALE}; compare the model's distance with this`,
    format: num(),
  },
  {
    pattern:
      /^(?:fd\.ceilingReconstructionVsTest|fdCeilingCodecVsTest|fdCeilingVqReconstructionVsTest)$/,
    group: 'Image quality',
    label: (m) =>
      m[0] === 'fdCeilingVqReconstructionVsTest'
        ? "Distance of the VQ tokenizer's round trip"
        : "Distance of the image tokenizer's round trip",
    explain:
      'Real test images turned into tokens and back, against the originals: the loss the tokenizer alone causes.',
    scale: FD_SCALE,
    format: num(),
  },
  {
    pattern: /^(?:tokenizerPsnrDb|codecPsnrDb)(Unseen)?$/,
    group: 'Image quality',
    label: (m) => `Tokenizer fidelity (PSNR${unseen(m, 1)})`,
    explain: 'How faithfully an image survives being turned into tokens and back.',
    scale: 'decibels, higher is better; about 30 dB and above looks identical',
    format: num(' dB'),
  },
  {
    pattern: /^(?:bitsPerImageToken|bitsPerJpegByte)(Unseen)?$/,
    group: 'Image quality',
    label: (m) =>
      `Surprise per image ${m[0].startsWith('bitsPerJpeg') ? 'JPEG byte' : 'token'}${unseen(m, 1) === '' ? '' : ` (${unseen(m, 1).slice(2)})`}`,
    explain: 'Bits the model needs, on average, to predict each next piece of a real test image.',
    scale: 'bits, lower is better; 0 = perfectly predicted',
    format: num(' bits'),
  },
  {
    pattern: /^completion\.([^.]+)\.([\d.]+)\.value$/,
    group: 'Image quality',
    label: (m) =>
      `Distance when completing the rest from the top ${formatNumber(Number(m[2]) * 100)} % (${m[1]})`,
    explain:
      "Given the top part of a real image, how real the model's completion of the rest looks.",
    scale: FD_SCALE,
    format: num(),
  },
  {
    pattern: /^completion\.([^.]+)\.([\d.]+)\.interval95$/,
    group: 'Image quality',
    label: (m) =>
      `Completing from the top ${formatNumber(Number(m[2]) * 100)} % (${m[1]}), 95 % interval`,
    explain: 'The range the completion distance falls in 95 times out of 100.',
    scale: 'same scale as the distance',
    format: (v) => (Array.isArray(v) ? v.map((x) => formatNumber(x)).join(' – ') : String(v)),
  },
  {
    pattern: /^caption(Unseen)?\.captionExact$/,
    group: 'Captions',
    label: (m) => `Captions exactly right${unseen(m, 1) === '' ? '' : ' (unseen classes)'}`,
    explain: "Share of test images whose caption is the image's true label, word for word.",
    scale: '0–100 %, higher is better',
    format: pct,
  },
  {
    pattern: /^caption(Unseen)?\.captionRank100$/,
    group: 'Captions',
    label: (m) =>
      `Right caption ranked first of 100${unseen(m, 1) === '' ? '' : ' (unseen classes)'}`,
    explain: 'How often the model scores the true caption above 99 wrong ones for an image.',
    scale: '0–100 %, higher is better; guessing gives 1 %',
    format: pct,
  },
  {
    pattern: /^caption\.items$/,
    group: 'Evaluation',
    label: () => 'Images the captions were measured on',
    explain: 'How many test images the caption scores come from.',
    scale: 'images',
    format: num(),
  },
  {
    pattern: /^(?:speed\.)?secondsPerImage$/,
    group: 'Speed',
    label: () => 'Seconds per image',
    explain: 'Time to draw one image on the evaluation computer.',
    scale: 'seconds, lower is faster',
    format: num(' s'),
  },
  {
    pattern: /^speed\.imagesPerSecond$/,
    group: 'Speed',
    label: () => 'Images per second',
    explain: 'The same speed the other way round.',
    scale: 'images per second, higher is faster',
    format: num(),
  },
  {
    pattern: /^speed\.stepsPerSecond$/,
    group: 'Speed',
    label: () => 'Tokens per second',
    explain: 'Model steps (one image token each) per second while drawing.',
    scale: 'per second, higher is faster',
    format: num(),
  },
  {
    pattern: /^speed\.peakRssMiB$/,
    group: 'Speed',
    label: () => 'Peak memory while drawing',
    explain: 'The most memory the process used during the speed test.',
    scale: 'MiB, lower is lighter',
    format: num(' MiB'),
  },
  {
    pattern: /^speed\.threads$/,
    group: 'Speed',
    label: () => 'CPU threads used',
    explain: 'How many processor threads the speed test ran with.',
    scale: 'threads',
    format: num(),
  },
  {
    pattern: /^split\.test$/,
    group: 'Evaluation',
    label: () => 'Test images',
    explain: 'Images held out from training that every score above is measured on.',
    scale: 'images',
    format: num(),
  },
  {
    pattern: /^split\.testUnseen$/,
    group: 'Evaluation',
    label: () => 'Test images of subjects never seen in training',
    explain: 'The part of the test set whose subjects the model was never shown.',
    scale: 'images',
    format: num(),
  },
  {
    pattern: /^settings\.(.+)$/,
    group: 'Evaluation',
    label: (m) => `Sampling used: ${m[1]!.replace(/_/g, ' ')}`,
    explain: 'The sampling setting the evaluation drew its images with.',
    scale: 'as on the Generate screen',
    format: num(),
  },
  {
    pattern: /^bestOf$/,
    group: 'Evaluation',
    label: () => 'Sampling used: best of',
    explain:
      'How many candidates the evaluation drew per image, keeping the one the model liked best.',
    scale: 'candidates',
    format: num(),
  },
  {
    pattern: /^evaluator$/,
    group: 'Evaluation',
    label: () => 'Judging classifier',
    explain: 'The independent classifier that scored prompt-following and the distances.',
    scale: 'name',
    format: num(),
  },
  {
    pattern: /^vqArModel$/,
    group: 'Evaluation',
    label: () => 'Compared with',
    explain: 'The other model whose completions were measured beside this one.',
    scale: 'model id',
    format: num(),
  },
  {
    pattern: /^evaluationMinutes$/,
    group: 'Evaluation',
    label: () => 'Evaluation took',
    explain: 'Wall-clock time of the whole evaluation.',
    scale: 'minutes',
    format: num(' min'),
  },
  {
    pattern: /^date$/,
    group: 'Evaluation',
    label: () => 'Measured on',
    explain: 'The day the evaluation ran.',
    scale: 'date',
    format: num(),
  },
];

const ORDER: MetricGroupName[] = [
  'Follows prompts',
  'Image quality',
  'Captions',
  'Speed',
  'Evaluation',
];

/** The metrics in words, by group (empty groups left out), and the ones no rule knows. */
export function describeMetrics(metrics: Record<string, unknown>): {
  groups: MetricGroup[];
  unknown: { key: string; value: string }[];
} {
  const lines = new Map<MetricGroupName, MetricLine[]>();
  const unknown: { key: string; value: string }[] = [];
  for (const [key, v] of leaves(metrics)) {
    const rule = RULES.find((r) => r.pattern.test(key));
    if (rule === undefined) {
      unknown.push({ key, value: Array.isArray(v) ? v.map(formatNumber).join(', ') : num()(v) });
      continue;
    }
    const m = key.match(rule.pattern)!;
    const line = {
      key,
      label: rule.label(m),
      value: rule.format(v),
      explain: rule.explain,
      scale: rule.scale,
    };
    lines.set(rule.group, [...(lines.get(rule.group) ?? []), line]);
  }
  // Lines follow the rules' order, so a ceiling comes after what it bounds.
  const rank = (l: MetricLine) => RULES.findIndex((r) => r.pattern.test(l.key));
  for (const ls of lines.values()) ls.sort((a, b) => rank(a) - rank(b));
  const groups = ORDER.filter((g) => lines.has(g)).map((name) => ({
    name,
    lines: lines.get(name)!,
  }));
  return { groups, unknown };
}

/** The best measured top-5 prompt-following over the guidance settings tried, or null. */
export function bestPromptFollowing(metrics: Record<string, unknown>): number | null {
  let best: number | null = null;
  for (const [key, v] of leaves(metrics))
    if (/^adherence(?:_cfg[\d.]+)?\.top5$/.test(key) && typeof v === 'number')
      best = best === null ? v : Math.max(best, v);
  return best;
}

/**
 * Whether the model's own measurements say it does not yet follow prompts: it was measured, and
 * even its best setting names the prompt's subject in the top five less than
 * EXPERIMENTAL_BELOW_TOP5 of the time. An unmeasured model is not labelled.
 */
export function isExperimental(model: { metrics: Record<string, unknown> }): boolean {
  const best = bestPromptFollowing(model.metrics);
  return best !== null && best < EXPERIMENTAL_BELOW_TOP5;
}

/** The label's one-line reason, for the badge's title and the Generate screen. */
export function experimentalReason(model: { metrics: Record<string, unknown> }): string | null {
  const best = bestPromptFollowing(model.metrics);
  if (best === null || best >= EXPERIMENTAL_BELOW_TOP5) return null;
  return `Experimental: in its own evaluation it drew the prompt's subject ${pct(best)} of the time (top 5 guesses of an independent classifier), so it does not yet follow prompts.`;
}
