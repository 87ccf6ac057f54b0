// The Monitoring webview's message protocol, imported by the panel host (src/forecast/vscode) and the
// browser app (webview/monitoring). One union per direction; the host validates what the webview
// sends against the strict schema in ./inbound.ts (apart, so zod stays out of the browser bundle).
import type { TrackModel } from '../../contracts/service';

/** The ways out of an error the panel offers as a button; the host runs the matching command. */
export const MONITORING_ACTIONS = ['startLocalService', 'setToken', 'setProxyToken', 'openSettings'] as const;
export type MonitoringAction = (typeof MONITORING_ACTIONS)[number];

export interface MonitoringState {
  /** The service asked, or null when none is configured or running. */
  url: string | null;
  /** Why there is nothing to chart (unreachable, no token, …), with the way out as a button. */
  error: { message: string; action: MonitoringAction | null } | null;
  models: TrackModel[];
  /** A/B routing as /healthz reports it: arm A, arm B and B's share; null without an answer. */
  arms: { a: string; b: string | null; bShare: number } | null;
  /** When the host fetched this (ISO 8601). */
  fetchedAt: string;
}

export type HostToWebview = { type: 'state'; state: MonitoringState } | { type: 'loading' };

export type WebviewToHost = { type: 'ready' } | { type: 'refresh' } | { type: 'action'; action: MonitoringAction };
