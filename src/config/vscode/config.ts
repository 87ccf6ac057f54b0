// Reads the settings through the one typed view (../settings.ts). Read on use, never cached, so a
// changed setting applies at the next launch, publish or refresh.
import * as vscode from 'vscode';
import {
  agentsConfigFrom,
  casesConfigFrom,
  jobsConfigFrom,
  serviceConfigFrom,
  walkthroughConfigFrom,
} from '../settings';
import type {
  AgentsConfig,
  CasesConfig,
  JobsConfig,
  ServiceConfig,
  SettingGetter,
  SettingId,
  SettingSection,
  WalkthroughConfig,
} from '../settings';

const get: SettingGetter = (id) => vscode.workspace.getConfiguration().get<unknown>(id);

export function readCasesConfig(): CasesConfig {
  return casesConfigFrom(get);
}

export function readJobsConfig(): JobsConfig {
  return jobsConfigFrom(get);
}

export function readWalkthroughConfig(): WalkthroughConfig {
  return walkthroughConfigFrom(get);
}

export function readServiceConfig(): ServiceConfig {
  return serviceConfigFrom(get);
}

export function readAgentsConfig(): AgentsConfig {
  return agentsConfigFrom(get);
}

export function affectsSetting(e: vscode.ConfigurationChangeEvent, ...ids: (SettingId | SettingSection)[]): boolean {
  return ids.some((id) => e.affectsConfiguration(id));
}
