// Command ids of the case editor feature (commands as data). Pure, so code actions and other
// features name them by reference — never spelled by hand — and the manifest test checks them
// against package.json.
export const CASE_COMMANDS = {
  treatAsCaseDataset: 'psychohistory.treatAsCaseDataset',
  editLineAsJson: 'psychohistory.cases.editLineAsJson',
  writeBackLine: 'psychohistory.cases.writeBackLine',
} as const;
