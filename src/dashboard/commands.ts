// Command ids of the dashboard feature (commands as data). Pure, so other features name them by
// reference — never spelled by hand — and a unit test checks them against package.json.
export const DASHBOARD_COMMANDS = {
  openDashboard: 'psychohistory.openDashboard',
  compareRuns: 'psychohistory.compareRuns',
  showForecastTree: 'psychohistory.showForecastTree',
  /** Shows a tree the forecast service answered (src/forecast) in this viewer; the argument is the tree. */
  showServiceForecast: 'psychohistory.showServiceForecast',
} as const;
