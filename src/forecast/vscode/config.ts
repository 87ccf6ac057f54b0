// The one typed reader over the forecast service settings (package.json contributes.configuration).
import * as vscode from 'vscode';

export interface ServiceConfig {
  /** The service the commands talk to when no local service runs; '' = none. */
  url: string;
  /** Base model of the local service when no adapter is picked; '' = psychohistory.baseModel. */
  baseModel: string;
  /** Per request. */
  timeoutSeconds: number;
  /** Extra `--key=value` flags for the local service (e.g. --num_samples=4). */
  localArgs: string[];
  /** How long Start Local Forecast Service waits for the model to load. */
  startTimeoutSeconds: number;
}

export function readServiceConfig(): ServiceConfig {
  const c = vscode.workspace.getConfiguration('psychohistory.service');
  const args = c.get<unknown>('localArgs');
  return {
    url: (c.get<string>('url') ?? '').trim(),
    baseModel: (c.get<string>('baseModel') ?? '').trim(),
    timeoutSeconds: positive(c.get<number>('timeoutSeconds'), 180),
    localArgs: Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim()) : [],
    startTimeoutSeconds: positive(c.get<number>('startTimeoutSeconds'), 300),
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}
