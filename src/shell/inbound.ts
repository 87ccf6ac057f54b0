// What a webview posts comes from a page the host does not trust (STYLE: the host validates what
// the webview sends). Every webview's host checks it here against the strict zod schema in that
// webview's `inbound.ts`: a message the protocol does not know is reported — which webview, what
// was wrong, what it was — and dropped, never half-read. Pure (zod only), so unit tests use it too.
import type { z } from 'zod';

/**
 * `true` only when A and B are the same type. Each `inbound.ts` assigns `true` to
 * `Same<z.infer<typeof Schema>, ProtocolUnion>`, so a schema and its protocol cannot drift either way.
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The message, or undefined when it is not one the protocol knows. */
export function parseInbound<T>(schema: z.ZodType<T>, data: unknown): T | undefined {
  const r = schema.safeParse(data);
  return r.success ? r.data : undefined;
}

/** The message; or undefined after `report` was told which webview sent what, and why it was refused. */
export function acceptInbound<T>(
  schema: z.ZodType<T>,
  data: unknown,
  webview: string,
  report: (line: string) => void,
): T | undefined {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'message'}: ${i.message}`).join('; ');
  report(`${webview}: ignored a message the protocol does not know (${why}): ${JSON.stringify(data)?.slice(0, 200)}`);
  return undefined;
}
