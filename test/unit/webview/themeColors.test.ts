// The palette-from-theme helper on VS Code's real variable sets (test/render/themes): every chart
// colour and status role it returns contrasts as WCAG asks, and a colour that already does is kept.
import { describe, expect, it } from 'vitest';
import {
  chartPalette,
  contrastRatio,
  ensureContrast,
  parseColor,
  resolveRoles,
  type Rgb,
} from '../../../webview/shared/themeColors';
import { THEME_NAMES, themeData } from '../../render/themes';

const rgb = (css: string): Rgb => {
  const c = parseColor(css);
  if (!c) throw new Error(`not a colour: ${css}`);
  return c;
};

describe('colour maths', () => {
  it('parses the forms VS Code writes', () => {
    expect(parseColor('#f85149')).toEqual({ r: 248, g: 81, b: 73, a: 1 });
    expect(parseColor('#fff8')).toEqual({ r: 255, g: 255, b: 255, a: 0x88 / 255 });
    expect(parseColor('rgba(234, 92, 0, 0.33)')).toEqual({ r: 234, g: 92, b: 0, a: 0.33 });
    expect(parseColor('rgb(1 2 3 / 50%)')).toEqual({ r: 1, g: 2, b: 3, a: 0.5 });
    expect(parseColor('var(--x)')).toBeNull();
  });

  it('WCAG contrast: white on black is 21, Light Modern error red on white 3.35', () => {
    expect(contrastRatio(rgb('#ffffff'), rgb('#000000'))).toBeCloseTo(21, 5);
    expect(contrastRatio(rgb('#f85149'), rgb('#ffffff'))).toBeCloseTo(3.35, 2);
  });

  it('keeps a colour that already contrasts, moves one that does not just far enough', () => {
    const white = rgb('#ffffff');
    const fg = rgb('#3b3b3b');
    expect(ensureContrast(parseColor('#005fb8')!, [white], 4.5, fg)).toEqual({ r: 0, g: 95, b: 184 });
    const red = ensureContrast(parseColor('#f85149')!, [white], 4.5, fg);
    expect(contrastRatio(red, white)).toBeGreaterThanOrEqual(4.5);
    // Still red, not the foreground: the hue survives.
    expect(red.r).toBeGreaterThan(red.g + 50);
    // A translucent colour is judged as painted, over the background.
    const orange = ensureContrast(parseColor('rgba(234, 92, 0, 0.33)')!, [rgb('#1f1f1f')], 3, rgb('#cccccc'));
    expect(contrastRatio(orange, rgb('#1f1f1f'))).toBeGreaterThanOrEqual(3);
  });
});

describe.each(THEME_NAMES)('%s theme', (name) => {
  const vars = themeData(name).variables;
  const read = (n: string): string => vars[n] ?? '';
  const bg = (n: string): Rgb => rgb(vars[n] ?? vars['--vscode-editor-background']!);

  it('the chart palette is six opaque colours, each ≥ 3:1 on the editor and widget backgrounds', () => {
    const palette = chartPalette(read, ['--vscode-editor-background', '--vscode-editorWidget-background']);
    expect(palette).toHaveLength(6);
    for (const c of palette) {
      expect(parseColor(c)!.a).toBe(1);
      for (const b of ['--vscode-editor-background', '--vscode-editorWidget-background'])
        expect(contrastRatio(rgb(c), bg(b))).toBeGreaterThanOrEqual(3);
    }
  });

  it('a translucent chart colour keeps its hue at full strength (Dark Modern orange is 33 % opaque)', () => {
    const orange = parseColor(chartPalette(read, ['--vscode-editor-background'])[1]!)!;
    const theme = parseColor(vars['--vscode-charts-orange'] ?? vars['--vscode-terminal-ansiYellow'] ?? '')!;
    if (theme.a < 1) expect(orange.r - orange.b).toBeGreaterThan(150);
  });

  it('a text role is ≥ 4.5:1 on each of its backgrounds', () => {
    const on = ['--vscode-editor-background', '--vscode-editorWidget-background', '--vscode-list-hoverBackground'];
    const roles = resolveRoles(read, {
      error: { from: ['--vscode-errorForeground'], on, ratio: 4.5 },
      pass: { from: ['--vscode-testing-iconPassed'], on, ratio: 4.5 },
    });
    for (const c of Object.values(roles))
      for (const b of on) expect(contrastRatio(rgb(c), composite(b))).toBeGreaterThanOrEqual(4.5);
  });

  function composite(n: string): Rgb {
    const c = parseColor(vars[n] ?? '') ?? parseColor(vars['--vscode-editor-background']!)!;
    const page = rgb(vars['--vscode-editor-background']!);
    return {
      r: Math.round(c.r * c.a + page.r * (1 - c.a)),
      g: Math.round(c.g * c.a + page.g * (1 - c.a)),
      b: Math.round(c.b * c.a + page.b * (1 - c.a)),
    };
  }
});
