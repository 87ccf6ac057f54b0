// axe-core on a rendered webview page, for every render test that wants it (dashboard, case
// table, any new webview): `await expectNoAxeViolations(page, 'dashboard SFT, dark')`.
// The rules are WCAG 2.0 / 2.1 levels A and AA plus axe's best practices; every violation counts,
// whatever its impact (critical, serious, moderate, minor). axe is injected through the DevTools
// protocol (page.evaluate), so the page's strict CSP stays as the extension serves it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, Result, RunOptions } from 'axe-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** One line per offending node: its CSS path and axe's summary of what fails. */
  nodes: string[];
}

/** Runs axe on the page as it is now and returns its violations (an empty list when clean). */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const options: RunOptions = { runOnly: { type: 'tag', values: [...AXE_TAGS] }, resultTypes: ['violations'] };
  const results = await page.evaluate(
    (opts) =>
      (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<AxeResults> } }).axe.run(document, opts),
    options as unknown as Record<string, unknown>,
  );
  return results.violations.map((v: Result) => ({
    rule: v.id,
    impact: v.impact ?? 'unknown',
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`),
  }));
}

/** A readable report: one block per rule with its nodes, for a failing assertion's message. */
export function formatViolations(where: string, found: AxeFinding[]): string {
  if (!found.length) return `${where}: no axe violations`;
  return [
    `${where}: ${found.length} axe rule(s) violated`,
    ...found.map((f) => `  [${f.impact}] ${f.rule} — ${f.help}\n${f.nodes.map((n) => `      ${n}`).join('\n')}`),
  ].join('\n');
}

/**
 * Throws with the full report when axe finds anything on the page. With PSYCHOHISTORY_AXE_MEASURE=1
 * it prints a one-line count per rule instead and goes on, to survey every page before fixing.
 */
export async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const found = await axeViolations(page);
  if (process.env.PSYCHOHISTORY_AXE_MEASURE === '1') {
    console.log(`${where}: ${found.map((f) => `${f.rule} [${f.impact}] ×${f.nodes.length}`).join(', ') || 'clean'}`);
    if (process.env.PSYCHOHISTORY_AXE_VERBOSE === '1') console.log(formatViolations(where, found));
    return;
  }
  if (found.length) throw new Error(formatViolations(where, found));
}
