// The page the webview loads: a strict CSP whose nonce is the one on the only script.
import { describe, expect, it } from 'vitest';
import { caseTablePage, makeNonce } from '../../../src/caseTable/html';
import { WebviewToHostSchema } from '../../../src/caseTable/inbound';
import { parseInbound } from '../../../src/shell/inbound';
import { pageWithNonce } from '../../shared/csp';

describe('case table page', () => {
  it('allows only the nonced script and the webview source', () => {
    const { nonce, html, csp } = pageWithNonce(makeNonce, (nonce) =>
      caseTablePage({
        cspSource: 'vscode-webview://x',
        scriptUri: 'vscode-webview://x/caseTable.js',
        nonce,
        title: 'T <&>',
      }),
    );
    expect(csp).not.toContain('unsafe');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="${nonce}" src="vscode-webview://x/caseTable.js">`);
    expect(html).toContain('<title>T &lt;&amp;&gt;</title>');
  });
});

describe('inbound messages', () => {
  it('accepts the protocol and refuses anything else', () => {
    expect(
      parseInbound(WebviewToHostSchema, { type: 'edit', line: 3, op: { kind: 'setActual', level: 0, candidate: 1 } }),
    ).toBeDefined();
    expect(
      parseInbound(WebviewToHostSchema, { type: 'edit', line: 3, op: { kind: 'setActual', level: 0 } }),
    ).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, { type: 'edit', line: 1.5, op: { kind: 'addLevel' } })).toBeUndefined();
    expect(
      parseInbound(WebviewToHostSchema, { type: 'requestRows', generation: 1, start: 0, end: 100_000 }),
    ).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, { type: 'select', line: null, extra: 1 })).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, 'ready')).toBeUndefined();
  });
});
