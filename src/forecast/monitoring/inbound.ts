// What the Monitoring webview may send, strictly: the host checks every message against this
// (src/shell/inbound.ts) and drops the rest. Kept out of ./protocol.ts so the browser bundle does
// not carry zod; the assertion below fails to compile if schema and protocol drift, either way.
import { z } from 'zod';
import type { Same } from '../../shell/inbound';
import { MONITORING_ACTIONS, type WebviewToHost } from './protocol';

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('refresh') }),
  z.strictObject({ type: z.literal('action'), action: z.enum(MONITORING_ACTIONS) }),
]);

const sameMessage: Same<z.infer<typeof WebviewToHostSchema>, WebviewToHost> = true;
void sameMessage;
