// What the dashboard webview may send, strictly: the host checks every message against this
// (src/shell/inbound.ts) and drops the rest. Kept out of ./protocol.ts so the browser bundle does
// not carry zod; the assertions below fail to compile if schema and protocol drift, either way.
import { z } from 'zod';
import type { Same } from '../shell/inbound';
import { WEBVIEW_COMMANDS, type TreeRef, type WebviewToHost } from './protocol';

const TreeRefSchema = z.strictObject({ runId: z.string().min(1), index: z.int().min(0) });

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('requestTree'), ref: TreeRefSchema }),
  z.strictObject({
    type: z.literal('command'),
    command: z.enum(WEBVIEW_COMMANDS),
    runId: z.string().min(1).optional(),
  }),
]);

const sameMessage: Same<z.infer<typeof WebviewToHostSchema>, WebviewToHost> = true;
const sameRef: Same<z.infer<typeof TreeRefSchema>, TreeRef> = true;
void sameMessage;
void sameRef;
