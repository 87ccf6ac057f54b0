// What the Forecast Seed Event… input boxes accept: each check returns the message shown under the
// box (undefined = fine), naming the field and the fix, with the same limits as contract 5's request
// schema (the service refuses the rest with 422; asking again here is kinder than a round trip).
import { ForecastRequestSchema, type ForecastRequest } from '../contracts/service';
import { calendarProblem, isDateShaped } from '../cases/dates';

export const SEED_MAX = 500;
/** Contract 5's own bounds; a service refuses more than its max_depth / max_breadth (4 by default) with a 422 that names them. */
export const CONTRACT_LIMITS = { depth: 16, breadth: 16 } as const;

export function checkSeed(text: string): string | undefined {
  const t = text.trim();
  if (!t) return 'Describe the event the forecast starts from, e.g. "Central bank raises rates by half a point".';
  if (t.length > SEED_MAX) return `The seed event is ${t.length} characters; the service takes at most ${SEED_MAX}.`;
  return undefined;
}

export function checkDate(text: string): string | undefined {
  const t = text.trim();
  if (!isDateShaped(t)) return 'Write the date as YYYY-MM-DD, e.g. 2023-01-15.';
  const problem = calendarProblem(t);
  return problem ? `${t} is not a real date: ${problem}.` : undefined;
}

export function checkCount(text: string, what: 'depth' | 'breadth', max: number): string | undefined {
  const t = text.trim();
  const meaning = what === 'depth' ? 'levels below the seed' : 'children per node';
  if (!/^\d+$/.test(t)) return `The ${what} (${meaning}) is a whole number from 1 to ${max}.`;
  const n = Number(t);
  if (n < 1 || n > max)
    return `The ${what} (${meaning}) must be from 1 to ${max}${n > max ? ' (the service’s limit)' : ''}; got ${n}.`;
  return undefined;
}

/** The request, or the first problem. */
export function buildRequest(
  seed: string,
  date: string,
  depth: string,
  breadth: string,
  limits: { depth: number; breadth: number } = CONTRACT_LIMITS,
): ForecastRequest | string {
  const problem =
    checkSeed(seed) ??
    checkDate(date) ??
    checkCount(depth, 'depth', limits.depth) ??
    checkCount(breadth, 'breadth', limits.breadth);
  if (problem) return problem;
  return ForecastRequestSchema.parse({
    seed: { event: seed.trim(), date: date.trim() },
    depth: Number(depth.trim()),
    breadth: Number(breadth.trim()),
  });
}
