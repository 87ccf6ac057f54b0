// The dashboard's theme colours, readable where they are painted (webview/shared/themeColors.ts):
// text roles become `--ph-<role>` for the CSS; charts take theirs from webview/shared/chartTheme.ts.
import { MARK_ON } from '../shared/chartTheme';
import { GRAPHIC_CONTRAST, TEXT_CONTRAST, type ColorRole } from '../shared/themeColors';

/** Text sits on the page, in cards, on a hovered tree row. */
const TEXT_ON = [
  '--vscode-editor-background',
  '--vscode-editorWidget-background',
  '--vscode-list-hoverBackground',
  '--vscode-textBlockQuote-background',
];

export const DASHBOARD_COLORS = {
  muted: { from: ['--vscode-descriptionForeground'], on: TEXT_ON, ratio: TEXT_CONTRAST },
  pass: { from: ['--vscode-testing-iconPassed', '--vscode-charts-green'], on: TEXT_ON, ratio: TEXT_CONTRAST },
  fail: {
    from: ['--vscode-testing-iconFailed', '--vscode-errorForeground', '--vscode-charts-red'],
    on: TEXT_ON,
    ratio: TEXT_CONTRAST,
  },
  warning: {
    from: ['--vscode-editorWarning-foreground', '--vscode-notificationsWarningIcon-foreground'],
    on: TEXT_ON,
    ratio: TEXT_CONTRAST,
  },
  actual: { from: ['--vscode-charts-green', '--vscode-testing-iconPassed'], on: TEXT_ON, ratio: TEXT_CONTRAST },
  'match-exact': { from: ['--vscode-charts-green'], on: TEXT_ON, ratio: TEXT_CONTRAST },
  'match-semantic': { from: ['--vscode-charts-blue'], on: TEXT_ON, ratio: TEXT_CONTRAST },
  'match-llm': { from: ['--vscode-charts-purple'], on: TEXT_ON, ratio: TEXT_CONTRAST },
  'actual-mark': {
    from: ['--vscode-charts-green', '--vscode-testing-iconPassed'],
    on: MARK_ON,
    ratio: GRAPHIC_CONTRAST,
  },
  'bar-mark': { from: ['--vscode-charts-blue'], on: MARK_ON, ratio: GRAPHIC_CONTRAST },
  'edge-mark': { from: ['--vscode-descriptionForeground'], on: MARK_ON, ratio: GRAPHIC_CONTRAST },
} satisfies Record<string, ColorRole>;
