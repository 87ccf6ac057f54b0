// Command ids of the case table feature (commands as data). Pure, so other features name them by
// reference — never spelled by hand — and the manifest test checks them against package.json.
export const CASE_TABLE_COMMANDS = {
  openCaseTable: 'psychohistory.openCaseTable',
  openCaseText: 'psychohistory.openCaseText',
} as const;
