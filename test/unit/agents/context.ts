// The agent context the agent tests run with: an OpenRouter client on the stand-in that retries at
// once and gives up fast, a test model name and a fixed clock.
import { OpenRouterClient } from '../../../src/agents/openRouterClient';
import type { AgentContext } from '../../../src/agents/runner';
import type { OpenRouterStandIn } from '../../openrouterServer/server';

export type ClientOptions = ConstructorParameters<typeof OpenRouterClient>[0];

export function standInContext(
  server: OpenRouterStandIn,
  apiKey: string,
  extra: Partial<AgentContext> = {},
  clientExtra: Partial<ClientOptions> = {},
): AgentContext {
  const client = new OpenRouterClient({
    apiKey,
    baseURL: server.baseURL,
    backoffMs: 1,
    timeoutMs: 2000,
    sleep: async () => {},
    concurrency: 3,
    ...clientExtra,
  });
  return { client, model: 'test/model', log: () => {}, now: () => new Date('2026-01-10T12:00:00Z'), ...extra };
}
