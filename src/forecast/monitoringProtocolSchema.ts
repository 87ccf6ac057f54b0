// Host-side validation of what the Monitoring webview posts: strict, so a message with a field the
// protocol does not know is refused, not half-read.
import { z } from 'zod';
import { MONITORING_ACTIONS, type WebviewToHost } from './monitoringProtocol';

export const MonitoringWebviewToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('refresh') }),
  z.strictObject({ type: z.literal('action'), action: z.enum(MONITORING_ACTIONS) }),
]) satisfies z.ZodType<WebviewToHost>;

export function parseMonitoringMessage(raw: unknown): WebviewToHost | null {
  const r = MonitoringWebviewToHostSchema.safeParse(raw);
  return r.success ? r.data : null;
}
