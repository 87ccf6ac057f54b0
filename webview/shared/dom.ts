// A minimal element builder for every webview app: attributes as strings (aria-*, data-*, ids),
// children as nodes or text. The apps build their DOM once and then only change data, so a
// framework would be weight without benefit.
export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | null | undefined | false;

/** An element; attributes that are null, undefined or false are left out, `true` is present and empty. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A vscode-textfield named by its placeholder: `label` names the input inside the element's shadow root, where an
 * aria-label on the host would not reach it. */
export function textField(id: string, label: string, value: string): HTMLElementTagNameMap['vscode-textfield'] {
  const field = h('vscode-textfield', { id, placeholder: label });
  field.label = label;
  field.value = value;
  return field;
}

/** A vscode-single-select of `options` ([value, label]) with `selected` chosen; `onChange` gets the value the user
 * picks, always one of the options'. */
export function singleSelect<V extends string>(
  attrs: Attrs,
  options: readonly (readonly [V, string])[],
  selected: string,
  onChange: (value: V) => void,
): HTMLElementTagNameMap['vscode-single-select'] {
  const select = h('vscode-single-select', attrs);
  for (const [value, label] of options)
    select.append(h('vscode-option', { value, selected: selected === value }, label));
  select.addEventListener('change', () => {
    const picked = options.find(([value]) => value === select.value);
    if (picked) onChange(picked[0]);
  });
  return select;
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

/** A codicon; decorative unless it has a `label`. */
export function icon(name: string, label?: string): HTMLElement {
  return h('span', {
    class: `codicon codicon-${name}`,
    'aria-hidden': label ? null : 'true',
    'aria-label': label,
    role: label ? 'img' : null,
  });
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

/** Adds the app's stylesheet (imported as text) as a <style> carrying the page's CSP nonce. */
export function injectStyles(css: string): void {
  const style = document.createElement('style');
  const nonce =
    (document.currentScript as HTMLScriptElement | null)?.nonce ??
    document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce;
  if (nonce) style.nonce = nonce;
  style.textContent = css;
  document.head.append(style);
}

/** `paint` at most once per animation frame however often the returned function is called. */
export function oncePerFrame(paint: () => void): () => void {
  let frame = 0;
  return () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      paint();
    });
  };
}
