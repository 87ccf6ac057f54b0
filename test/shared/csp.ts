// The webview pages' Content-Security-Policy, checked the same way for every page: a fresh nonce
// of 32 letters and digits, nothing allowed by default, and scripts only when they carry that nonce.
import { expect } from 'vitest';

/**
 * Renders a page with a nonce from `makeNonce` and checks the parts of its CSP every webview page
 * shares; returns the nonce, the page and its CSP for the checks that are the page's own.
 */
export function pageWithNonce(
  makeNonce: () => string,
  render: (nonce: string) => string,
): { nonce: string; html: string; csp: string } {
  const nonce = makeNonce();
  expect(nonce).toMatch(/^[A-Za-z0-9]{32}$/);
  const html = render(nonce);
  const csp = /content="([^"]+)"/.exec(html)?.[1] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain(`script-src 'nonce-${nonce}'`);
  return { nonce, html, csp };
}
