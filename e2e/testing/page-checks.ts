/// <reference lib="dom" />
/**
 * Checks the end-to-end tests make of the page as it is now: whether an element is on screen
 * and uncovered, and axe-core's serious and critical accessibility findings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../harness.ts';

/**
 * Whether `selector`'s element is inside the viewport and is what the page shows at its centre and
 * near its four corners (nothing else on top); the reason when not.
 */
export async function uncovered(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (el === null) return `${sel}: not on the page`;
    const r = el.getBoundingClientRect();
    if (r.width < 24 || r.height < 24) return `${sel}: only ${r.width}×${r.height} px`;
    if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight)
      return `${sel}: outside the window (${r.left},${r.top} – ${r.right},${r.bottom})`;
    const inset = 3;
    const points: [number, number][] = [
      [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
      [r.left + inset, r.top + inset],
      [r.right - inset, r.top + inset],
      [r.left + inset, r.bottom - inset],
      [r.right - inset, r.bottom - inset],
    ];
    for (const [x, y] of points) {
      const top = document.elementFromPoint(x, y);
      if (top === null || !(el === top || el.contains(top)))
        return `${sel}: covered at (${Math.round(x)}, ${Math.round(y)}) by ${top?.className || top?.tagName}`;
    }
    return null;
  }, selector);
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    // Evaluated, not added as a <script>: the studio's CSP allows only its own scripts.
    await page.evaluate(readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[];
      passes: unknown[];
    }
    const r = await axe.run(document);
    if (r.passes.length === 0) return ['axe-core checked nothing'];
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${JSON.stringify(n.target)}`));
  });
}
