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
  /** The diagnostic code, e.g. "invalid-date", and its source, e.g. "psychohistory". */
  code: string;
  source: string;
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

  /**
   * Waits for the workbench to be interactive: the explorer shows the workspace folder and the
   * extension's contributions are registered (its activity bar entry is there). Until then the
   * command palette does not list the extension's commands.
   */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await this.page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
    await this.page
      .locator('.activitybar a.action-label[aria-label^="PsychoHistory"]')
      .waitFor({ state: 'attached', timeout: 60_000 });
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Rows of the open quick pick (command palette, quick open, any showQuickPick). */
  get quickPickRows(): Locator {
    return this.quickInput.locator('.monaco-list-row');
  }

  /**
   * Opens the palette with `prefix` typed. An editor a command opened just before can take focus
   * and close the palette again while we type (seen after "Open as Text"): then it is reopened.
   */
  private async openPalette(prefix: string): Promise<Locator> {
    const input = this.quickInput.locator('input');
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(prefix, { timeout: 5_000 });
        return input;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  /**
   * Runs a command from the palette by its full label as the palette shows it ("Category: Title"),
   * choosing the row whose label is exactly that, so a similarly named command is never run.
   */
  async runCommand(label: string): Promise<void> {
    // The row's aria-label may carry the keybinding ("…, Control+Shift+M"); its label-name is the label.
    const row = this.quickPickRows
      .filter({ has: this.page.locator('.label-name', { hasText: exactText(label) }) })
      .first();
    // Opened again when the row does not show: right after start-up the palette can reset the typed filter while
    // it loads its command list (seen in clean CI: 30 s on a palette whose filter was not the one typed).
    for (let attempt = 1; ; attempt++) {
      // The palette's fuzzy filter does not match a typed trailing "...", so filter without it.
      await this.openPalette(`>${label.replace(/[.…\s]+$/, '')}`);
      try {
        await row.waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
    await row.click();
    // The palette closes — or turns into the command's own quick pick, in the same widget.
    await this.page.waitForFunction(() => {
      const widget = document.querySelector<HTMLElement>('.quick-input-widget');
      const input = widget?.querySelector<HTMLInputElement>('input');
      return !widget || !widget.checkVisibility() || !input?.value.startsWith('>');
    });
  }

  /**
   * Answers an open quick pick (showQuickPick) by choosing the row whose label is exactly `label`
   * (codicons in labels render as icons, so "$(folder) x" is matched as "x").
   */
  /**
   * Runs a palette command that asks with a quick pick, and picks `label`. Asks again once when the pick was hidden
   * before the click landed: on a loaded machine the palette's own closing can race the command's quick pick, which
   * opens in the same widget (seen in clean CI: the row showed, then the widget hid under the pointer).
   */
  async commandThenPick(command: string, label: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(command);
      try {
        await this.pick(label, undefined, attempt === 1 ? 10_000 : undefined);
        return;
      } catch (err) {
        if (attempt > 1 || (await this.quickInput.isVisible())) throw err;
      }
    }
  }

  async pick(label: string | RegExp, title?: RegExp, timeout?: number): Promise<void> {
    if (title) await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    const row = this.quickPickRows
      .filter({
        has: this.page.locator('.label-name', { hasText: typeof label === 'string' ? exactText(label) : label }),
      })
      .first();
    await row.waitFor({ state: 'visible', timeout });
    await row.click({ timeout });
  }

  /**
   * Answers a multi-select quick pick (showQuickPick with canPickMany): exactly the rows with
   * these labels checked, then accepted.
   */
  async pickMany(labels: string[], title?: RegExp): Promise<void> {
    if (title) await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    const rowOf = (label: string): Locator =>
      this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: exactText(label) }) }).first();
    for (const label of labels) await rowOf(label).waitFor({ state: 'visible' });
    const shown = await this.quickPickRows.evaluateAll((rows) =>
      rows.map((r) => ({
        label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
        checked: r.getAttribute('aria-checked') === 'true',
      })),
    );
    for (const row of shown) {
      if (labels.includes(row.label) === row.checked) continue;
      // Clicking a row of a multi-select list toggles its check box.
      await rowOf(row.label).click();
      await rowOf(row.label)
        .and(this.page.locator(`[aria-checked="${String(!row.checked)}"]`))
        .waitFor();
    }
    await this.quickInput.locator('input').press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** Accepts an open input box (showInputBox) with its current value, or with `value`. */
  async acceptInput(title: RegExp, value?: string): Promise<void> {
    await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    const input = this.quickInput.locator('input');
    if (value !== undefined) await input.fill(value);
    await input.press('Enter');
  }

  /** Clicks a button of the modal dialog (showInformationMessage with modal: true). */
  async answerDialog(button: string): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    const text = await dialog.innerText();
    await dialog.locator('.monaco-button', { hasText: exactText(button) }).click();
    await dialog.waitFor({ state: 'hidden' });
    return text;
  }

  /** The labels the command palette offers for a filter text. */
  async paletteLabels(filter: string): Promise<string[]> {
    await this.openPalette(`>${filter}`);
    await this.quickPickRows.first().waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await this.quickPickRows.evaluateAll((rows) =>
      rows.map((r) => r.querySelector('.label-name')?.textContent ?? ''),
    );
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

  /**
   * Moves the cursor of the active text editor to a 1-based line and column through quick open's
   * ":line:column" mode, which also focuses the editor (no click that could hit a CodeLens).
   */
  async goToLine(line: number, column = 1): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const input = await this.openPalette(`:${line}:${column}`);
      try {
        // The same focus race can close the palette between typing and Enter: then go again.
        await input.press('Enter', { timeout: 5_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
    await this.quickInput.waitFor({ state: 'hidden' });
    await this.page
      .locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col ${column}\\b`) })
      .first()
      .waitFor({ timeout: 15_000 });
  }

  /** Text of one 1-based line of the active editor as rendered (Go to Line scrolls it into view). */
  async editorLineText(line: number): Promise<string> {
    await this.goToLine(line);
    const text = (await this.renderedLines()).get(line);
    if (text === undefined) throw new Error(`line ${line} is not rendered in the active editor`);
    return text;
  }

  /**
   * The rendered lines of the active editor, 1-based line number → text, for the lines in view
   * (a document that fits the editor is read whole).
   */
  async renderedLines(): Promise<Map<number, string>> {
    const pairs = await this.activeEditor.evaluate((editor) => {
      // A line's number (margin) and its text (view-lines) are rendered at the same `top`.
      const byTop = new Map<string, string>();
      for (const view of editor.querySelectorAll<HTMLElement>('.view-lines .view-line'))
        byTop.set(view.style.top, view.textContent ?? '');
      const out: [number, string][] = [];
      for (const number of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
        const label = number.textContent?.trim();
        const top = (number.parentElement as HTMLElement | null)?.style.top;
        const text = top === undefined ? undefined : byTop.get(top);
        // A wrapped line's continuation rows have no number.
        if (label && text !== undefined) out.push([Number(label), text]);
      }
      return out;
    });
    return new Map(pairs.map(([n, t]) => [n, t.replace(/\u00a0/g, ' ')]));
  }

  /** The whole text of the active editor as rendered (it must fit in view): lines joined by "\n". */
  async editorText(): Promise<string> {
    const lines = await this.renderedLines();
    const numbers = [...lines.keys()].sort((a, b) => a - b);
    if (numbers[0] !== 1 || numbers.some((n, i) => n !== i + 1)) {
      throw new Error(`the active editor does not show its text from line 1 on (lines ${numbers.join(',')} in view)`);
    }
    return numbers.map((n) => lines.get(n)).join('\n');
  }

  /** Page coordinates of the middle of the active editor's caret. */
  private async caretPoint(): Promise<{ x: number; y: number }> {
    return this.activeEditor
      .locator('.cursors-layer .cursor')
      .first()
      .evaluate((caret) => {
        const r = caret.getBoundingClientRect();
        return { x: r.left + 3, y: r.top + r.height / 2 };
      });
  }

  /** The editor hover that is showing (Monaco keeps hidden hover widgets in the DOM). */
  get editorHover(): Locator {
    return this.page.locator('.monaco-resizable-hover .monaco-hover').filter({ visible: true }).first();
  }

  /**
   * Rests the mouse on the character at a 1-based line and column of the active editor, as a
   * reader does, and waits for the editor's hover there; returns the hover's content.
   */
  async hoverAt(line: number, column: number, timeoutMs = 30_000): Promise<Locator> {
    await this.goToLine(line, column);
    const { x, y } = await this.caretPoint();
    const content = this.editorHover.locator('.monaco-hover-content').first();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Off the text first (the status bar), so that the move onto it starts a fresh hover.
      await this.page.mouse.move(x, (this.page.viewportSize()?.height ?? 1000) - 5);
      await this.page.mouse.move(x, y, { steps: 4 });
      // A hover that did not come (the mouse arrived while the editor was busy) comes on the next
      // move, as it does for a user who nudges the mouse.
      const shown = await content.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (shown) return content;
      if (Date.now() > deadline) throw new Error(`no hover at line ${line}, column ${column} within ${timeoutMs} ms`);
    }
  }

  /** The suggest widget of the active editor while it is open. */
  get suggestWidget(): Locator {
    return this.page.locator('.editor-widget.suggest-widget').filter({ visible: true }).first();
  }

  /** The labels the open suggest widget lists, top to bottom, once it lists at least `atLeast`. */
  async suggestionLabels(atLeast = 1): Promise<string[]> {
    const rows = this.suggestWidget.locator('.monaco-list-row');
    await rows.nth(atLeast - 1).waitFor({ state: 'visible' });
    return rows.evaluateAll((els) =>
      els
        .map((row) => ({
          index: Number(row.getAttribute('data-index')),
          label: row.querySelector('.label-name')?.textContent ?? '',
        }))
        .sort((a, b) => a.index - b.index)
        .map((r) => r.label.trim()),
    );
  }

  /** Triggers suggest at the cursor (Ctrl+Space) and returns the labels it offers. */
  async triggerSuggest(atLeast = 1): Promise<string[]> {
    await this.page.keyboard.press('Control+Space');
    return this.suggestionLabels(atLeast);
  }

  /** Accepts the suggestion with this exact label from the open suggest widget. */
  async acceptSuggestion(label: string): Promise<void> {
    const row = this.suggestWidget
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exactText(label) }) })
      .first();
    await row.click();
    // The widget closes, or lists something else (a snippet's choices) in the same element.
    await row.waitFor({ state: 'hidden' });
  }

  /**
   * Every CodeLens command link of the active editor in view, in DOM order: its title (icons
   * dropped) and the 1-based line its lens stands above. `mark` tags the link with that line and
   * title (attribute data-e2e-lens), so that it can be clicked.
   */
  private async codeLensLinks(mark?: { line: number; title: string }): Promise<{ line: number; title: string }[]> {
    return this.activeEditor.evaluate((editor, target) => {
      const numbers = [...editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers')]
        .map((n) => ({ line: Number(n.textContent?.trim()), top: n.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top);
      for (const old of editor.querySelectorAll('[data-e2e-lens]')) old.removeAttribute('data-e2e-lens');
      // Lens widgets out of view stay in the DOM, hidden.
      const links = [...editor.querySelectorAll<HTMLElement>('.codelens-decoration a')].filter((a) =>
        a.checkVisibility({ visibilityProperty: true }),
      );
      return links.map((a) => {
        // A lens sits in the view zone right above its line: the first line number below it.
        const bottom = a.closest('.codelens-decoration')?.getBoundingClientRect().bottom ?? Number.NaN;
        const line = numbers.find((n) => n.top >= bottom - 2)?.line ?? -1;
        const title = (a.textContent ?? '').replace(/\u00a0/g, ' ').trim();
        if (target && target.line === line && target.title === title) a.setAttribute('data-e2e-lens', '');
        return { line, title };
      });
    }, mark);
  }

  /** The CodeLenses the active editor shows in view: line → the titles of its commands. */
  async codeLenses(): Promise<{ line: number; titles: string[] }[]> {
    const byLine = new Map<number, string[]>();
    for (const link of await this.codeLensLinks())
      byLine.set(link.line, [...(byLine.get(link.line) ?? []), link.title]);
    return [...byLine.entries()].sort(([a], [b]) => a - b).map(([line, titles]) => ({ line, titles }));
  }

  /**
   * Scrolls a 1-based line of the active editor into view and clicks the CodeLens command above it.
   * The editor may re-render its lenses (diagnostics arriving, a light bulb, a hover over the link)
   * between finding the link and clicking it: then the link is found again and clicked again.
   */
  async clickCodeLens(line: number, title: string): Promise<void> {
    const target = this.activeEditor.locator('.codelens-decoration a[data-e2e-lens]');
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.goToLine(line);
      await this.until(
        async () => (await this.codeLensLinks({ line, title }), await target.count()),
        (n) => n === 1,
        `the CodeLens "${title}" above line ${line}`,
      );
      try {
        await target.click({ timeout: 5_000 });
        return;
      } catch (err) {
        lastError = err;
        await this.page.keyboard.press('Escape'); // a hover or light-bulb menu over the link
      }
    }
    throw lastError;
  }

  /**
   * Opens the Quick Fix menu at the cursor and applies the action with this exact title. The menu
   * lists the actions known when it opens; one opened before the provider answered (a busy machine)
   * lacks the fix, so, as a person would, close it and ask again.
   */
  async applyQuickFix(title: string, attempts = 5): Promise<void> {
    const menu = this.page
      .locator('.action-widget')
      .filter({ has: this.page.locator('.monaco-list-row') })
      .first();
    const item = menu.locator('.monaco-list-row', { hasText: exactText(title) }).first();
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press(`${mod}+.`);
      const shown = await item.waitFor({ state: 'visible', timeout: 6_000 }).then(
        () => true,
        (err: unknown) => {
          if (attempt >= attempts) throw err;
          return false;
        },
      );
      if (shown) break;
      await this.page.keyboard.press('Escape');
    }
    await item.click();
    await menu.waitFor({ state: 'hidden' });
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
      const row = this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: exactText(name) }) });
      const found = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(
        () => true,
        () => false,
      );
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
    await this.showProblems();
    return this.readProblems();
  }

  /** Reads the Problems panel as it is rendered now (it must be open). */
  async readProblems(): Promise<Problem[]> {
    const panel = this.page.locator('.markers-panel');
    const rows = await panel.locator('.monaco-list-row').evaluateAll((els) =>
      els.map((row) => ({
        aria: row.getAttribute('aria-label') ?? '',
        icon: row.querySelector('.marker-icon')?.className ?? '',
        message: row.querySelector('.marker-message')?.textContent ?? '',
        code: row.querySelector('.marker-code')?.textContent ?? '',
        source: row.querySelector('.marker-source')?.textContent ?? '',
        position: row.querySelector('.marker-line')?.textContent ?? '',
      })),
    );
    const result: Problem[] = [];
    let file = '';
    for (const row of rows) {
      const fileMatch = /problems? in file (.+?) of folder/i.exec(row.aria);
      if (fileMatch?.[1]) {
        file = fileMatch[1];
        continue;
      }
      const pos = /Ln (\d+), Col (\d+)/.exec(row.position);
      if (!pos) continue;
      const severity: ProblemSeverity = /\berror\b/.test(row.icon)
        ? 'error'
        : /\bwarning\b/.test(row.icon)
          ? 'warning'
          : 'info';
      result.push({
        severity,
        message: row.message,
        code: row.code,
        source: row.source,
        line: Number(pos[1]),
        column: Number(pos[2]),
        file,
      });
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

  /**
   * Opens the Problems panel and waits until what it lists satisfies `accept`; returns that list.
   * Diagnostics arrive asynchronously (debounced validation), so every assertion on them waits.
   */
  async waitForProblems(
    accept: (problems: Problem[]) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<Problem[]> {
    await this.showProblems();
    const deadline = Date.now() + timeoutMs;
    let last: Problem[] = [];
    for (;;) {
      last = await this.readProblems();
      if (accept(last)) return last;
      if (Date.now() > deadline) break;
      // Poll interval of a condition wait, bounded by the deadline.
      await this.page.waitForTimeout(250);
    }
    throw new Error(
      `Problems panel never showed ${what} within ${timeoutMs} ms; last:\n${JSON.stringify(last, null, 2)}`,
    );
  }

  /**
   * Reads something from the page until `accept` takes it; returns it. For state the page has no
   * single element for (several widgets, positions); throws with the last reading on timeout.
   */
  async until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    for (;;) {
      last = await read();
      if (accept(last)) return last;
      if (Date.now() > deadline) break;
      // Poll interval of a condition wait, bounded by the deadline.
      await this.page.waitForTimeout(250);
    }
    throw new Error(`never saw ${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }

  /** A side bar / panel view pane by its title, e.g. "Runs". */
  viewPane(title: string): Locator {
    return this.page.locator('.pane', {
      has: this.page.locator('.pane-header', { has: this.page.locator('h3.title', { hasText: exactText(title) }) }),
    });
  }

  /** Expands or collapses a view pane by clicking its header, as a user makes room for another. */
  async setPaneExpanded(title: string, expanded: boolean): Promise<void> {
    const header = this.viewPane(title).locator('.pane-header').first();
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
    await this.viewPane(title)
      .locator(`.pane-header[aria-expanded="${String(expanded)}"]`)
      .waitFor();
  }

  /** Tree rows of a view pane (aria-labels hold the item label and description). */
  treeRows(pane: Locator): Locator {
    return pane.locator('.monaco-list-row');
  }

  /**
   * The content frame of a webview (dashboard, custom editor). VS Code hosts each webview in an
   * outer iframe with an inner `#active-frame`; `hasContent` picks the visible one whose document
   * has it.
   */
  async webview(hasContent: string, timeoutMs = 60_000): Promise<FrameLocator> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      // Webviews of background tabs stay in the DOM, hidden: only the visible ones count.
      const outers = this.page.locator('iframe.webview.ready').filter({ visible: true });
      const count = await outers.count();
      for (let i = 0; i < count; i++) {
        const inner = outers.nth(i).contentFrame().frameLocator('#active-frame');
        if (
          (await inner
            .locator(hasContent)
            .count()
            .catch(() => 0)) > 0
        )
          return inner;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview with content matching ${hasContent} within ${timeoutMs} ms`);
  }

  /**
   * The extension host's own activation timing for one extension, as *Developer: Show Running
   * Extensions* shows it ("Activation: 812ms": loading its code plus its `activate` call), in ms.
   */
  async activationTimeMs(displayName: string): Promise<number> {
    await this.runCommand('Developer: Show Running Extensions');
    const row = this.page
      .locator('.runtime-extensions-editor .monaco-list-row', {
        has: this.page.locator('.name', { hasText: exactText(displayName) }),
      })
      .first();
    const time = row.locator('.activation-time', { hasText: /Activation: \d+ms/ });
    await time.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await time.innerText();
    return Number(/Activation: (\d+)ms/.exec(text)?.[1]);
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

/** A regex that matches exactly this text (trimmed). */
export function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/** How many pixels of a canvas in a webview are painted (a chart drawn, not just sized). */
export async function paintedPixels(frame: FrameLocator, canvasSelector: string): Promise<number> {
  return frame.locator(canvasSelector).evaluate((canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++;
    return n;
  });
}
