// Command ids of the data agents (commands as data); the key itself is set by the jobs feature's
// Set OpenRouter Key (psychohistory.setOpenRouterKey), which stores it in SecretStorage.
export const AGENT_COMMANDS = {
  brainstorm: 'psychohistory.brainstormSeeds',
  chronicle: 'psychohistory.chronicleOutcomes',
  verify: 'psychohistory.verifyCases',
} as const;
