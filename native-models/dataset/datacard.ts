/** The data card: what emoji-v1 is made of, where it comes from, and how to rebuild it. */
import type { SetInfo } from './iconify.ts';
import type { Split } from './splits.ts';

export interface DataCard {
  dataset: 'emoji-v1';
  builtWith: string;
  rebuildCommand: string;
  sizes: number[];
  splitOptions: Record<string, number>;
  sets: SetInfo[];
  counts: Record<string, Record<Split | 'total', number>>;
  uniqueCaptions: number;
  uniqueConcepts: number;
  skipped: { set: string; name: string; reason: string }[];
  files: Record<string, { sha256: string; bytes: number }>;
}

const SPLITS: (Split | 'total')[] = ['train', 'val', 'test', 'test-unseen', 'total'];

export function renderDataCardMarkdown(card: DataCard): string {
  const lines: string[] = [];
  lines.push('# Data card: emoji-v1', '');
  lines.push(
    'Open-licensed emoji from Iconify JSON packages on npm, rendered with resvg to RGB on white',
    `at ${card.sizes.join(' and ')} px (the smaller by 2×2 area average of the larger).`,
    'Caption = the icon name in words; the set is the style attribute. Hidden icons are dropped;',
    'aliases are kept as accepted alternative captions, not rendered twice.',
    '',
    `Rebuild: \`${card.rebuildCommand}\` (${card.builtWith}).`,
    '',
    '## Splits',
    '',
    '- `train`: everything not held out below.',
    '- `val` / `test`: a concept seen in training, in a set where it was not trained (seen',
    '  concept, unseen style). Chosen by a hash of (seed, set, caption).',
    '- `test-unseen`: concepts never seen in training in any set or skin tone. Chosen by a hash',
    '  of (seed, concept), where the concept is the caption without skin-tone words.',
    '',
    `Options: ${Object.entries(card.splitOptions)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ')}.`,
    '',
    `| set | ${SPLITS.join(' | ')} |`,
    `|---|${SPLITS.map(() => '---:').join('|')}|`,
  );
  for (const [set, counts] of Object.entries(card.counts)) {
    lines.push(`| ${set} | ${SPLITS.map((s) => counts[s] ?? 0).join(' | ')} |`);
  }
  lines.push(
    '',
    `Unique captions: ${card.uniqueCaptions}; unique concepts: ${card.uniqueConcepts}.`,
    '',
    '## Sources, licenses and attribution',
    '',
    '| set | package | license | author |',
    '|---|---|---|---|',
  );
  for (const s of card.sets) {
    lines.push(
      `| ${s.title} | ${s.packageName}@${s.packageVersion} | [${s.license}](${s.licenseUrl}) | [${s.author}](${s.authorUrl}) |`,
    );
  }
  lines.push(
    '',
    'CC BY-SA 4.0 (OpenMoji) asks that adaptations be shared alike: models trained on this set',
    'carry the attribution above in their manifest.',
    '',
    '## Skipped while rendering',
    '',
  );
  if (card.skipped.length === 0) lines.push('None.');
  for (const s of card.skipped) lines.push(`- ${s.set}/${s.name}: ${s.reason}`);
  lines.push('', '## Content hashes (sha256)', '', '| file | bytes | sha256 |', '|---|---:|---|');
  for (const [file, { sha256, bytes }] of Object.entries(card.files)) {
    lines.push(`| ${file} | ${bytes} | \`${sha256}\` |`);
  }
  lines.push('');
  return lines.join('\n');
}
