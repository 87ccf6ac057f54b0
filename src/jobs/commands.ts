// Command ids of the jobs feature (commands as data). Pure, so a unit test checks them against
// package.json's contributes.commands without loading `vscode`.
export const JOB_COMMANDS = {
  launchSft: 'psychohistory.launchSft',
  launchGrpo: 'psychohistory.launchGrpo',
  runEvaluation: 'psychohistory.runEvaluation',
  generateDataset: 'psychohistory.generateDataset',
  cancelRun: 'psychohistory.cancelRun',
  showRunLogs: 'psychohistory.showRunLogs',
  revealRun: 'psychohistory.revealRun',
  openInModalDashboard: 'psychohistory.openInModalDashboard',
  refreshRuns: 'psychohistory.refreshRuns',
  refreshDatasets: 'psychohistory.refreshDatasets',
  deployModalApp: 'psychohistory.deployModalApp',
  setModalToken: 'psychohistory.setModalToken',
  setHuggingFaceToken: 'psychohistory.setHuggingFaceToken',
  setOpenRouterKey: 'psychohistory.setOpenRouterKey',
} as const;

export const JOB_VIEWS = {
  container: 'psychohistory',
  datasets: 'psychohistory.datasets',
  runs: 'psychohistory.runs',
} as const;
