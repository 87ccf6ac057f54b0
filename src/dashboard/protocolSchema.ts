// Host-side validation of what the dashboard webview posts (STYLE: the host validates inbound
// messages). Kept out of protocol.ts so the browser bundle does not carry zod.
import { z } from 'zod';
import { WEBVIEW_COMMANDS, type WebviewToHost } from './protocol';

const TreeRefSchema = z.object({ runId: z.string().min(1), index: z.int().min(0) });

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('requestTree'), ref: TreeRefSchema }),
  z.object({ type: z.literal('command'), command: z.enum(WEBVIEW_COMMANDS), runId: z.string().min(1).optional() }),
]) satisfies z.ZodType<WebviewToHost>;

/** The message, or null when it is not one the protocol knows. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | null {
  const r = WebviewToHostSchema.safeParse(raw);
  return r.success ? r.data : null;
}
