// Colours from the VS Code theme that stay readable in every theme. Themes give status and chart
// colours (`--vscode-charts-orange`, `--vscode-testing-iconPassed`, `--vscode-errorForeground`…)
// that are not checked against the backgrounds a webview puts them on: Light Modern's error red is
// 3.35:1 on white, its passed-test green 2:1, Dark Modern's orange chart colour is 33 % opaque. So
// every colour a webview paints text or chart marks with goes through here: read from the theme,
// made opaque over the background it sits on, then moved toward the theme's foreground (which
// contrasts with the background) just as far as WCAG needs — 4.5:1 for text, 3:1 for graphics.
// It is what VS Code's terminal does with `minimumContrastRatio`. Pure functions first (unit
// tested), then the small DOM part that writes them as `--ph-*` custom properties.

export interface Rgb {
  r: number;
  g: number;
  b: number;
}
export interface Rgba extends Rgb {
  a: number;
}

/** WCAG 2.x minimums: normal text (1.4.3) and graphical objects such as chart marks (1.4.11). */
export const TEXT_CONTRAST = 4.5;
export const GRAPHIC_CONTRAST = 3;

/** Parses the colour forms VS Code writes into its variables: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(), rgba(). */
export function parseColor(css: string): Rgba | null {
  const s = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(s);
  if (hex) {
    let v = hex[1]!;
    if (v.length <= 4) v = [...v].map((c) => c + c).join('');
    const n = (i: number): number => parseInt(v.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: v.length === 8 ? n(6) / 255 : 1 };
  }
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(s);
  if (fn) {
    const alpha = fn[4] === undefined ? 1 : fn[4].endsWith('%') ? Number(fn[4].slice(0, -1)) / 100 : Number(fn[4]);
    return { r: Number(fn[1]), g: Number(fn[2]), b: Number(fn[3]), a: Math.max(0, Math.min(1, alpha)) };
  }
  if (s === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  return null;
}

/** `top` painted over an opaque `bottom`. */
export function composite(top: Rgba, bottom: Rgb): Rgb {
  const mix = (x: number, y: number): number => x * top.a + y * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b) };
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance. */
export function luminance(c: Rgb): number {
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

/** WCAG contrast ratio, 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export function toCss(c: Rgb): string {
  return `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
}

function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t };
}

/**
 * The colour, made opaque over the first background, and mixed toward `toward` (the theme's
 * foreground) in the smallest step that gives `ratio` against every background — rounded as it
 * will be painted. Unchanged when it already contrasts; `toward` itself when nothing less does.
 */
export function ensureContrast(colour: Rgba, backgrounds: Rgb[], ratio: number, toward: Rgb): Rgb {
  const base = composite(colour, backgrounds[0] ?? toward);
  const round = (c: Rgb): Rgb => ({ r: Math.round(c.r), g: Math.round(c.g), b: Math.round(c.b) });
  const ok = (c: Rgb): boolean => backgrounds.every((bg) => contrastRatio(c, bg) >= ratio);
  for (let step = 0; step <= 20; step++) {
    const c = round(mixRgb(base, toward, step / 20));
    if (ok(c)) return c;
  }
  return round(toward);
}

/** How a webview reads a theme variable (getComputedStyle in the page, a record in tests). */
export type ReadVar = (name: string) => string;

/** The first of `names` the theme sets to a colour. */
export function firstColor(read: ReadVar, names: readonly string[]): Rgba | null {
  for (const n of names) {
    const c = parseColor(read(n));
    if (c && c.a > 0) return c;
  }
  return null;
}

/** One readable colour: the first theme variable of `from` that is set, made to contrast. */
export interface ColorRole {
  from: readonly string[];
  /** Backgrounds it is painted on (theme variables; unset ones are skipped). */
  on: readonly string[];
  ratio: number;
  /**
   * Take the colour's hue at full strength instead of painting its transparency: for chart series,
   * where a theme's translucent value is a side effect of its defaults (Dark Modern's charts.orange
   * is the 33 % minimap find-match highlight), not a wish for a faint series.
   */
  dropAlpha?: boolean;
}

const FOREGROUND = ['--vscode-foreground', '--vscode-editor-foreground'];
const BACKGROUND = ['--vscode-editor-background'];

function opaque(read: ReadVar, names: readonly string[], under: Rgb): Rgb | null {
  const c = firstColor(read, names);
  return c ? composite(c, under) : null;
}

/** Resolves each role against the theme; the theme foreground stands in for a role whose variables are all unset. */
export function resolveRoles<K extends string>(read: ReadVar, roles: Record<K, ColorRole>): Record<K, string> {
  const page = opaque(read, BACKGROUND, { r: 255, g: 255, b: 255 }) ?? { r: 30, g: 30, b: 30 };
  const fg =
    opaque(read, FOREGROUND, page) ?? (luminance(page) > 0.5 ? { r: 0, g: 0, b: 0 } : { r: 255, g: 255, b: 255 });
  const out = {} as Record<K, string>;
  for (const key of Object.keys(roles) as K[]) {
    const role = roles[key];
    const backgrounds = role.on.map((n) => opaque(read, [n], page)).filter((c): c is Rgb => c !== null);
    if (!backgrounds.length) backgrounds.push(page);
    const found = firstColor(read, role.from);
    const colour = found ? (role.dropAlpha ? { ...found, a: 1 } : found) : { ...fg, a: 1 };
    out[key] = toCss(ensureContrast(colour, backgrounds, role.ratio, fg));
  }
  return out;
}

/** VS Code's chart colours, in the order a chart uses them. */
export const CHART_COLOR_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-purple',
  '--vscode-charts-green',
  '--vscode-charts-yellow',
  '--vscode-charts-red',
] as const;

/**
 * The chart palette: each `--vscode-charts-*` colour at full strength and ≥ 3:1 against the chart's
 * backgrounds. A colour the theme leaves unset falls back to the terminal's ANSI colour of that
 * name, then to the foreground.
 */
export function chartPalette(read: ReadVar, backgrounds: readonly string[]): string[] {
  const roles = Object.fromEntries(
    CHART_COLOR_VARS.map((v) => {
      const name = v.slice('--vscode-charts-'.length);
      const ansi = `--vscode-terminal-ansi${name[0]!.toUpperCase()}${name.slice(1)}`;
      return [name, { from: [v, ansi], on: backgrounds, ratio: GRAPHIC_CONTRAST, dropAlpha: true }];
    }),
  );
  const resolved = resolveRoles(read, roles);
  return CHART_COLOR_VARS.map((v) => resolved[v.slice('--vscode-charts-'.length)]!);
}

// ---- in the page ------------------------------------------------------------------------------

/** Reads a variable as the page sees it (VS Code sets them on <html>; they inherit to <body>). */
export function pageVar(name: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}

/**
 * Writes each role as `--ph-<key>` on <html>, now and whenever VS Code switches theme (it changes
 * <body>'s class), then calls `changed` (charts redraw with the new palette). Returns the values.
 */
export function applyColorRoles<K extends string>(
  roles: Record<K, ColorRole>,
  changed?: () => void,
): Record<K, string> {
  const write = (): Record<K, string> => {
    const resolved = resolveRoles(pageVar, roles);
    for (const [k, v] of Object.entries(resolved)) document.documentElement.style.setProperty(`--ph-${k}`, v as string);
    return resolved;
  };
  const first = write();
  new MutationObserver(() => {
    write();
    changed?.();
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return first;
}
