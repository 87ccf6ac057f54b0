// Drives the VS Code workbench in Chromium the way a user does: the command palette, quick open,
// the Problems panel, the outline, side bar views and webview frames. Every wait is on a
// condition in the page (Playwright locator waits), never a fixed delay.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { outputDir } from './paths.ts';

export type ProblemSeverity = 'error' | 'warning' | 'info';

export interface Problem {
  severity: ProblemSeverity;
  message: string;
  /** 1-based, as the Problems panel shows it. */
  line: number;
  column: number;
  /** The file the problem belongs to (its name as the panel shows it). */
  file: string;
}

const isMac = process.platform === 'darwin';
const mod = isMac ? 'Meta' : 'Control';

export class Workbench {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** Waits for the workbench to be interactive: the explorer shows the workspace folder. */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await this.page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Rows of the open quick pick (command palette, quick open, any showQuickPick). */
  get quickPickRows(): Locator {
    return this.quickInput.locator('.monaco-list-row');
  }

  private async openPalette(prefix: string): Promise<Locator> {
    const input = this.quickInput.locator('input');
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(prefix);
    return input;
  }

  /**
   * Runs a command from the palette by its full label as the palette shows it ("Category: Title"),
   * choosing the row whose label is exactly that, so a similarly named command is never run.
   */
  async runCommand(label: string): Promise<void> {
    // The palette's fuzzy filter does not match a typed trailing "...", so filter without it.
    await this.openPalette(`>${label.replace(/[.…\s]+$/, '')}`);
    const row = this.quickPickRows.and(this.page.locator(`[aria-label=${cssString(label)}]`)).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    await this.quickInput.waitFor({ state: 'hidden' }).catch(() => undefined);
  }

  /** The labels the command palette offers for a filter text. */
  async paletteLabels(filter: string): Promise<string[]> {
    await this.openPalette(`>${filter}`);
    await this.quickPickRows.first().waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await this.quickPickRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    await this.page.keyboard.press('Escape');
    return labels;
  }

  /** Opens a workspace file through quick open (Ctrl+P) and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    const name = relativePath.split('/').pop() ?? relativePath;
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press(`${mod}+P`);
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    const row = this.quickPickRows.filter({ hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await input.press('Enter');
    await this.tab(name).waitFor({ state: 'visible' });
  }

  /** The editor tab with this file name (or editor title). */
  tab(title: string): Locator {
    return this.page
      .locator('.tabs-container .tab')
      .filter({ has: this.page.locator('.monaco-icon-label-container', { hasText: exactText(title) }) });
  }

  /** The text editor of the active editor group. */
  get activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Moves the cursor of the active text editor to a 1-based line (Go to Line). */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.activeEditor.click({ position: { x: 200, y: 10 } });
    await this.page.keyboard.press('Control+G');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await input.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
    await this.page
      .locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col ${column}\\b`) })
      .first()
      .waitFor({ timeout: 15_000 });
  }

  /** Text of one 1-based line of the active editor, as rendered (the line must be on screen). */
  async editorLineText(line: number): Promise<string> {
    await this.goToLine(line);
    const current = this.activeEditor.locator('.view-overlays .current-line').first();
    await current.waitFor();
    const top = await current.evaluate((el) => (el as HTMLElement).style.top);
    const text = await this.activeEditor.locator(`.view-lines .view-line[style*="top:${top}"], .view-lines .view-line[style*="top: ${top}"]`).first().innerText();
    return text.replace(/\u00a0/g, ' ');
  }

  /**
   * Shows an output channel in the Output panel. The channel picker lists the channels that exist
   * when it opens, so a channel created by an extension still activating is picked on a later try.
   */
  async showOutputChannel(name: string, timeoutMs = 60_000): Promise<Locator> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.runCommand('Output: Show Output Channels...');
      await this.quickInput.locator('input').fill(name);
      const row = this.quickPickRows.and(this.page.locator(`[aria-label=${cssString(name)}]`));
      const found = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      if (found) {
        await row.click();
        break;
      }
      await this.page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`output channel ${name} did not appear within ${timeoutMs} ms`);
    }
    const output = this.page.locator('.part.panel [id="workbench.panel.output"]').first();
    await output.waitFor({ state: 'visible' });
    return output;
  }

  /** Opens the Problems panel and returns every problem it lists (all files, expanded). */
  async problems(): Promise<Problem[]> {
    const panel = await this.showProblems();
    const rows = panel.locator('.monaco-list-row');
    const result: Problem[] = [];
    let file = '';
    for (const label of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))) {
      const fileMatch = /problems? in file (.+?) of folder/i.exec(label);
      if (fileMatch?.[1]) {
        file = fileMatch[1];
        continue;
      }
      const problem = parseMarkerAriaLabel(label, file);
      if (problem) result.push(problem);
    }
    return result;
  }

  /** Opens the Problems panel; resolves to its container once its tree is rendered. */
  async showProblems(): Promise<Locator> {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible' });
    return panel;
  }

  /** Waits until the Problems panel lists exactly the expected number of problems. */
  async waitForProblemCount(expected: number, timeoutMs = 60_000): Promise<Problem[]> {
    const deadline = Date.now() + timeoutMs;
    let last: Problem[] = [];
    while (Date.now() < deadline) {
      last = await this.problems();
      if (last.length === expected) return last;
      // Re-read after the panel's next render; bounded by the deadline, not a fixed wait for a result.
      await this.page.waitForTimeout(250);
    }
    throw new Error(`Problems panel shows ${last.length} problems, expected ${expected}:\n${JSON.stringify(last, null, 2)}`);
  }

  /** Opens a view container or view by its palette command, e.g. "View: Show PsychoHistory". */
  async focusView(commandLabel: string): Promise<void> {
    await this.runCommand(commandLabel);
  }

  /** A side bar / panel view pane by its title, e.g. "Runs". */
  viewPane(title: string): Locator {
    return this.page.locator('.pane', { has: this.page.locator('.pane-header', { has: this.page.locator('h3.title', { hasText: exactText(title) }) }) });
  }

  /** Tree rows of a view pane (aria-labels hold the item label and description). */
  treeRows(pane: Locator): Locator {
    return pane.locator('.monaco-list-row');
  }

  /**
   * The content frame of a webview (dashboard, custom editor). VS Code hosts each webview in an
   * outer iframe with an inner `#active-frame`; `hasContent` picks the one whose document has it.
   */
  async webview(hasContent: string, timeoutMs = 60_000): Promise<FrameLocator> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const outers = this.page.locator('iframe.webview.ready');
      const count = await outers.count();
      for (let i = 0; i < count; i++) {
        const inner = outers.nth(i).contentFrame().frameLocator('#active-frame');
        if ((await inner.locator(hasContent).count().catch(() => 0)) > 0) return inner;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview with content matching ${hasContent} within ${timeoutMs} ms`);
  }

  /** Notification toasts currently shown. */
  get notifications(): Locator {
    return this.page.locator('.notification-toast');
  }

  async screenshot(name: string): Promise<string> {
    await mkdir(outputDir, { recursive: true });
    const path = join(outputDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}

/** A CSS string literal (attribute selectors). */
export function cssString(text: string): string {
  return JSON.stringify(text);
}

/** A regex that matches exactly this text (trimmed). */
export function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/**
 * Parses the accessible label VS Code gives a marker row, e.g.
 * "Error: Invalid date 2023-02-30 at line 3 column 42 ..." — the exact wording varies by version,
 * so this takes the severity word at the start and the last "line N ... (column|character) M".
 */
export function parseMarkerAriaLabel(label: string, file: string): Problem | undefined {
  const pos = /line (\d+)\D+?(?:column|character) (\d+)/i.exec(label);
  if (!pos) return undefined;
  const severityWord = /\b(error|warning|info)/i.exec(label)?.[1]?.toLowerCase() as ProblemSeverity | undefined;
  return {
    severity: severityWord ?? 'info',
    message: label,
    line: Number(pos[1]),
    column: Number(pos[2]),
    file,
  };
}
