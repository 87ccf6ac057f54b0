import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WebviewToHostSchema } from '../../../src/dashboard/inbound';
import { acceptInbound, parseInbound } from '../../../src/shell/inbound';
import { DASHBOARD_COMMANDS } from '../../../src/dashboard/commands';
import { makeNonce, renderDashboardHtml } from '../../../src/dashboard/html';
import { pageWithNonce } from '../../shared/csp';

describe('webview → host messages', () => {
  it('accepts the protocol and rejects anything else', () => {
    expect(parseInbound(WebviewToHostSchema, { type: 'ready' })).toEqual({ type: 'ready' });
    expect(parseInbound(WebviewToHostSchema, { type: 'requestTree', ref: { runId: 'r', index: 2 } })).toEqual({
      type: 'requestTree',
      ref: { runId: 'r', index: 2 },
    });
    expect(parseInbound(WebviewToHostSchema, { type: 'command', command: 'launchSft' })).toEqual({
      type: 'command',
      command: 'launchSft',
    });
    expect(parseInbound(WebviewToHostSchema, { type: 'requestTree', ref: { runId: 'r', index: -1 } })).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, { type: 'command', command: 'rm -rf' })).toBeUndefined();
    // The header's "Open in Modal Dashboard" button of a Modal run.
    expect(
      parseInbound(WebviewToHostSchema, { type: 'command', command: 'openModalDashboard', runId: 'sft-1' }),
    ).toEqual({
      type: 'command',
      command: 'openModalDashboard',
      runId: 'sft-1',
    });
    expect(parseInbound(WebviewToHostSchema, { type: 'eval', code: '1' })).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, 'ready')).toBeUndefined();
  });
});

describe('a message the protocol does not know', () => {
  it('is refused strictly (an unknown field too) and reported with what was wrong', () => {
    const lines: string[] = [];
    const report = (line: string): number => lines.push(line);
    expect(acceptInbound(WebviewToHostSchema, { type: 'ready', extra: 1 }, 'dashboard', report)).toBeUndefined();
    expect(acceptInbound(WebviewToHostSchema, { type: 'requestTree', ref: { runId: '' } }, 'dashboard', report)).toBe(
      undefined,
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^dashboard: ignored a message the protocol does not know \(.*extra.*\): \{"type":"ready"/,
    );
    expect(lines[1]).toMatch(/ref\.runId: .*ref\.index: /);
    expect(acceptInbound(WebviewToHostSchema, { type: 'ready' }, 'dashboard', report)).toEqual({ type: 'ready' });
    expect(lines).toHaveLength(2);
  });
});

describe('dashboard HTML', () => {
  it('allows only our nonce-tagged script and local resources', () => {
    const { nonce, html, csp } = pageWithNonce(makeNonce, (nonce) =>
      renderDashboardHtml({
        cspSource: 'vscode-webview://x',
        nonce,
        scriptUri: 'vscode-webview://x/dist/webview/dashboard.js',
        codiconCssUri: 'vscode-webview://x/codicon.css',
        title: 'Run <a>',
      }),
    );
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(html.match(/<script /g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="${nonce}"`);
    expect(html).toContain('<title>Run &lt;a&gt;</title>');
  });
});

describe('package.json', () => {
  it('contributes the dashboard commands under the PsychoHistory category', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      contributes: { commands: { command: string; title: string; category: string }[] };
    };
    const { openDashboard, compareRuns, showForecastTree } = DASHBOARD_COMMANDS;
    const mine = pkg.contributes.commands.filter((c) =>
      [openDashboard, compareRuns, showForecastTree].includes(c.command as typeof openDashboard),
    );
    expect(mine.map((c) => [c.command, c.title, c.category])).toEqual([
      [openDashboard, 'Open Dashboard', 'PsychoHistory'],
      [compareRuns, 'Compare Runs', 'PsychoHistory'],
      [showForecastTree, 'Show Forecast Tree', 'PsychoHistory'],
    ]);
  });
});
