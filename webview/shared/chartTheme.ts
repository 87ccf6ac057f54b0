// The charts' theme colours, readable where they are painted (./themeColors.ts): what Chart.js
// draws with (`chartTheme()`) and see-through marks still readable on their card (`fadedMark()`).
// Shared by every app with charts (dashboard, monitoring).
import {
  GRAPHIC_CONTRAST,
  TEXT_CONTRAST,
  chartPalette,
  composite,
  ensureContrast,
  pageVar,
  parseColor,
  resolveRoles,
  toCss,
  type Rgba,
} from './themeColors';

/** Chart marks and tree marks sit in cards and on the page. */
export const MARK_ON = ['--vscode-editor-background', '--vscode-editorWidget-background'];

/** What Chart.js draws with: every colour opaque and contrasting with the card it sits in. */
export interface ChartTheme {
  /** Legend and axis titles (text). */
  fg: string;
  /** Tick labels (text) and neutral marks such as the uniform-forecast line (≥ 3:1 as a mark too). */
  muted: string;
  /** Grid lines: decoration, not information, so the theme's own border colour as it is. */
  grid: string;
  /** Series colours, ≥ 3:1: `--vscode-charts-*`. */
  palette: string[];
  /** Gate lines and failing marks. */
  red: string;
  font: string;
}

export function chartTheme(): ChartTheme {
  const text = resolveRoles(pageVar, {
    fg: { from: ['--vscode-foreground'], on: MARK_ON, ratio: TEXT_CONTRAST },
    muted: { from: ['--vscode-descriptionForeground'], on: MARK_ON, ratio: TEXT_CONTRAST },
  });
  const palette = chartPalette(pageVar, MARK_ON);
  return {
    fg: text.fg,
    muted: text.muted,
    grid:
      pageVar('--vscode-editorWidget-border') ||
      pageVar('--vscode-widget-border') ||
      pageVar('--vscode-contrastBorder') ||
      text.muted,
    palette,
    red: palette[5]!,
    font: pageVar('--vscode-font-family') || 'sans-serif',
  };
}

/**
 * A see-through version of a mark colour (the raw loss behind its smoothed line, a secondary bar)
 * as painted on the card, still ≥ 3:1 against it.
 */
export function fadedMark(colour: string, alpha: number): string {
  const c = parseColor(colour);
  if (!c) return colour;
  const page = parseColor(pageVar('--vscode-editor-background')) ?? { r: 0, g: 0, b: 0, a: 1 };
  const backgrounds = MARK_ON.map((n) => parseColor(pageVar(n)))
    .filter((b): b is Rgba => b !== null)
    .map((b) => composite(b, page));
  const card = backgrounds.at(-1) ?? page;
  const toward = parseColor(pageVar('--vscode-foreground')) ?? { r: 128, g: 128, b: 128, a: 1 };
  return toCss(ensureContrast({ ...c, a: c.a * alpha }, [card, ...backgrounds], GRAPHIC_CONTRAST, toward));
}
