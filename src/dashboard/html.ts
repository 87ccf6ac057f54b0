// The dashboard's one HTML page. Written once per panel; every later change is a data message.
// CSP: nothing but our own bundle (by nonce) and local resources from the webview's cspSource.
export interface DashboardHtmlInput {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  codiconCssUri: string;
  title: string;
}

export function renderDashboardHtml(i: DashboardHtmlInput): string {
  const csp = [
    "default-src 'none'",
    `img-src ${i.cspSource} data:`,
    `font-src ${i.cspSource}`,
    `style-src ${i.cspSource} 'nonce-${i.nonce}'`,
    `script-src 'nonce-${i.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${escapeAttr(i.codiconCssUri)}" nonce="${i.nonce}">
<title>${escapeText(i.title)}</title>
</head>
<body>
<main id="dashboard-root" aria-label="PsychoHistory dashboard" aria-busy="true"><p class="loading">Loading…</p></main>
<script nonce="${i.nonce}" src="${escapeAttr(i.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random alphanumerics; the host passes a crypto-backed random source. */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let k = 0; k < 32; k++) s += chars.charAt(Math.floor(random() * chars.length));
  return s;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
