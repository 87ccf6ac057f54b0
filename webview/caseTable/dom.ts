// A minimal element builder: attributes as strings (aria-*, data-*, ids), children as nodes or text.
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A vscode-button; `ariaLabel` must contain the visible `label` (WCAG 2.5.3) unless that is only a symbol (↑, ✕). */
export function button(
  id: string,
  label: string,
  ariaLabel: string,
  onClick: () => void,
  opts: { secondary?: boolean; disabled?: boolean; keys?: string } = {},
): HTMLElement {
  const b = h(
    'vscode-button',
    {
      id,
      'aria-label': ariaLabel,
      title: ariaLabel,
      secondary: opts.secondary ?? true,
      disabled: opts.disabled ?? false,
      'aria-keyshortcuts': opts.keys,
    },
    label,
  );
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}
