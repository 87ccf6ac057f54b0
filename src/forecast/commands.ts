// Command and view ids of the forecast feature (commands as data). Pure, so the manifest tests read them.

/** The Predictions view, in the PsychoHistory side bar container. */
export const PREDICTIONS_VIEW = 'psychohistory.predictions';
export const FORECAST_COMMANDS = {
  forecastSeedEvent: 'psychohistory.forecastSeedEvent',
  startLocalService: 'psychohistory.startLocalService',
  stopLocalService: 'psychohistory.stopLocalService',
  setServiceToken: 'psychohistory.setServiceToken',
  setServiceProxyToken: 'psychohistory.setServiceProxyToken',
  recordOutcome: 'psychohistory.recordOutcome',
  chronicleOutcome: 'psychohistory.chronicleOutcome',
  refreshPredictions: 'psychohistory.refreshPredictions',
  showPrediction: 'psychohistory.showPrediction',
  openMonitoring: 'psychohistory.openMonitoring',
  deployForecastService: 'psychohistory.deployForecastService',
  showServiceLog: 'psychohistory.showServiceLog',
} as const;
