// The case table's status colours, from the theme and readable on the backgrounds they sit on
// (webview/shared/themeColors.ts): each becomes a `--ph-<role>` custom property the CSS uses.
import { TEXT_CONTRAST, type ColorRole } from '../shared/themeColors';

/** Where text sits: the editor, the form (side bar colour), a hovered row. */
const ON = [
  '--vscode-editor-background',
  '--vscode-sideBar-background',
  '--vscode-list-hoverBackground',
  '--vscode-textCodeBlock-background',
];

export const CASE_TABLE_COLORS = {
  error: { from: ['--vscode-errorForeground', '--vscode-editorError-foreground'], on: ON, ratio: TEXT_CONTRAST },
  warning: {
    from: ['--vscode-editorWarning-foreground', '--vscode-notificationsWarningIcon-foreground'],
    on: ON,
    ratio: TEXT_CONTRAST,
  },
  info: {
    from: ['--vscode-editorInfo-foreground', '--vscode-notificationsInfoIcon-foreground'],
    on: ON,
    ratio: TEXT_CONTRAST,
  },
  link: { from: ['--vscode-textLink-foreground'], on: ON, ratio: TEXT_CONTRAST },
  'line-number': { from: ['--vscode-editorLineNumber-foreground'], on: ON, ratio: TEXT_CONTRAST },
  muted: { from: ['--vscode-descriptionForeground'], on: ON, ratio: TEXT_CONTRAST },
  pass: { from: ['--vscode-testing-iconPassed', '--vscode-charts-green'], on: ON, ratio: TEXT_CONTRAST },
} satisfies Record<string, ColorRole>;
