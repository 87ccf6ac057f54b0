// The one HTML page shape every webview uses: a strict CSP (nothing but our own bundle by nonce
// and local resources from the webview's cspSource), an optional local stylesheet, a root
// element, and the bundle. Pure, so render tests serve exactly what the extension serves.
import { randomInt } from 'node:crypto';

export interface WebviewPageInput {
  cspSource: string; // webview.cspSource
  nonce: string; // makeNonce(), fresh per load
  scriptUri: string; // asWebviewUri of the built bundle
  title: string;
  body: string; // trusted markup of the root element(s), written by the caller
  stylesheetUri?: string; // e.g. codicon.css
  stylesheetId?: string;
}

export function webviewPage(i: WebviewPageInput): string {
  const csp = [
    "default-src 'none'",
    `img-src ${i.cspSource} data:`,
    `font-src ${i.cspSource}`,
    `style-src ${i.cspSource} 'nonce-${i.nonce}'`,
    `script-src 'nonce-${i.nonce}'`,
  ].join('; ');
  const stylesheet = i.stylesheetUri
    ? `\n<link rel="stylesheet"${i.stylesheetId ? ` id="${escapeAttr(i.stylesheetId)}"` : ''} href="${escapeAttr(i.stylesheetUri)}" nonce="${i.nonce}">`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">${stylesheet}
<title>${escapeText(i.title)}</title>
</head>
<body>
${i.body}
<script nonce="${i.nonce}" src="${escapeAttr(i.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random alphanumerics; crypto-backed unless a source is given (tests). */
export function makeNonce(random: () => number = () => randomInt(0, 1 << 30) / (1 << 30)): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let k = 0; k < 32; k++) s += chars.charAt(Math.floor(random() * chars.length));
  return s;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
