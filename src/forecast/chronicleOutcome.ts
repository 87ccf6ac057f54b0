// Chronicle Outcome on a Predictions row: the prediction's seed → the Chronicler's input, and the
// chronicled case → the outcome Record Outcome suggests for depth 1. Pure (vscode/register.ts runs
// the Chronicler and asks). The suggestion is the forecast's own first-level event when the
// chronicled actual equals one after the shared normalisation (normalizeEvent, the matcher's), else
// the actual as free text; the service still decides what it resolves.
import type { ForecastListItem } from '../contracts/service';
import type { Case } from '../contracts/case';
import { normalizeEvent } from '../cases/normalize';
import type { SeedItem } from '../agents/chronicler';

/** The case file Chronicle Outcome appends to, next to the workspace's other case files. */
export const CHRONICLED_PREDICTIONS_FILE = 'predictions-chronicled.cases.jsonl';

/** The Chronicler's input for a prediction: its seed, under an id naming the forecast. */
export function chronicleInput(item: ForecastListItem): SeedItem {
  return { id: `forecast-${item.id}`, seed: { event: item.request.seed.event, date: item.request.seed.date } };
}

export interface SuggestedOutcome {
  depth: 1;
  /** What Record Outcome offers: the matching forecast event, else the chronicled actual. */
  event: string;
  /** True when `event` is one of the forecast's first-level events (preselected), false: free text. */
  inForecast: boolean;
}

/** The depth-1 outcome a chronicled case suggests for the forecast; undefined when it has no depth-1 actual. */
export function suggestedOutcome(item: ForecastListItem, chronicled: Case): SuggestedOutcome | undefined {
  const level = chronicled.levels.find((l) => l.depth === 1);
  const actual = level?.candidates.find((c) => c.label === 1)?.event.trim();
  if (!actual) return undefined;
  const key = normalizeEvent(actual);
  const hit = item.tree.children.find((n) => normalizeEvent(n.event) === key);
  return hit ? { depth: 1, event: hit.event, inForecast: true } : { depth: 1, event: actual, inForecast: false };
}
