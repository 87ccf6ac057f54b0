// Chronicle Outcome on a Predictions row: the prediction → the Chronicler's input, the chronicled
// case → the depth-1 outcome Record Outcome suggests (a forecast event after the shared
// normalisation, else free text), and the Chronicler run on that input against the OpenRouter stand-in.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chronicle } from '../../../src/agents/chronicler';
import type { AgentContext } from '../../../src/agents/runner';
import type { Case } from '../../../src/contracts/case';
import type { ForecastListItem } from '../../../src/contracts/service';
import type { ForecastNode } from '../../../src/contracts/tree';
import { chronicleInput, suggestedOutcome } from '../../../src/forecast/chronicleOutcome';
import { OpenRouterStandIn } from '../../openrouterServer/server';
import { World } from '../../openrouterServer/world';
import type { WorldOptions } from '../../openrouterServer/world';
import { standInContext } from '../agents/context';

const node = (event: string, probability: number, children: ForecastNode[] = [], depth = 1): ForecastNode => ({
  event,
  probability,
  depth,
  children,
});

function item(events: string[], seedEvent = 'Central bank raises rates'): ForecastListItem {
  const tree = {
    seed: { event: seedEvent, date: '2023-01-15' },
    model: 'tiny',
    createdAt: '2023-01-15T00:00:00Z',
    children: events.map((e, k) => node(e, k === 0 ? 0.6 : 0.4 / Math.max(1, events.length - 1))),
  };
  return {
    id: 'f1',
    model: 'tiny',
    createdAt: tree.createdAt,
    request: { seed: tree.seed, depth: 1, breadth: events.length },
    tree,
    outcomes: [],
    open: true,
  };
}

function chronicled(actual: string, depth = 1): Case {
  return {
    id: 'forecast-f1',
    seed: { event: 'Central bank raises rates', date: '2023-01-15' },
    levels: [
      {
        depth,
        candidates: [
          { event: 'Nothing changes', label: 0 },
          { event: actual, label: 1 },
        ],
      },
    ],
    review: { status: 'draft' },
  } as Case;
}

describe('Chronicle Outcome, pure part', () => {
  it("turns a prediction into the Chronicler's seed, under an id naming the forecast", () => {
    expect(chronicleInput(item(['Rates rise']))).toEqual({
      id: 'forecast-f1',
      seed: { event: 'Central bank raises rates', date: '2023-01-15' },
    });
  });

  it.each<[name: string, actual: string, event: string, inForecast: boolean]>([
    [
      "preselects the forecast's own first-level event when the actual equals it after normalisation",
      '  BONDS rally!  ',
      'Bonds rally',
      true,
    ],
    [
      'offers the actual as free text when no first-level event matches (no semantic guess)',
      'Bonds rallied sharply',
      'Bonds rallied sharply',
      false,
    ],
  ])('%s', (_name, actual, event, inForecast) => {
    const f = item(['Stocks fall', 'Bonds rally']);
    expect(suggestedOutcome(f, chronicled(actual))).toEqual({ depth: 1, event, inForecast });
  });

  it('suggests nothing without a depth-1 actual', () => {
    expect(suggestedOutcome(item(['Stocks fall']), chronicled('Stocks fall', 2))).toBeUndefined();
  });
});

describe('Chronicle Outcome against the OpenRouter stand-in', () => {
  const KEY = 'sk-or-test';
  let dir: string;
  let server: OpenRouterStandIn;

  async function start(world: WorldOptions = {}): Promise<AgentContext> {
    server = new OpenRouterStandIn({ apiKey: KEY, respond: new World(world).respond });
    await server.start();
    return standInContext(server, KEY, {}, { concurrency: 1 });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chronicle-outcome-'));
  });
  afterEach(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("chronicles the prediction's seed into the draft case file and suggests the matching forecast event", async () => {
    const c = await start();
    const out = join(dir, 'predictions-chronicled.cases.jsonl');
    const f = item(['Stocks fall'], 'Regulator fines airline over delays');
    const r = await chronicle({ seeds: [chronicleInput(f)], out, depth: 2 }, c);
    expect(r.done).toBe(1);
    const written = r.written[0]!;
    expect(written.id).toBe('forecast-f1');
    expect(written.review).toEqual({ status: 'draft' });
    const actual = written.levels[0]!.candidates.find((x) => x.label === 1)!.event;
    expect(suggestedOutcome(f, written)).toEqual({ depth: 1, event: actual, inForecast: false });
    // The forecast had it, written differently: preselected as the forecast's wording.
    const g = item(['Stocks fall', `${actual.toUpperCase()}.`], 'Regulator fines airline over delays');
    expect(suggestedOutcome(g, written)).toEqual({ depth: 1, event: `${actual.toUpperCase()}.`, inForecast: true });
  });

  it('keeps nothing when the search finds no sources', async () => {
    const c = await start({ chronicleQuirks: { 'airline over': 'not-found' } });
    const out = join(dir, 'predictions-chronicled.cases.jsonl');
    const f = item(['Stocks fall'], 'Regulator fines airline over delays');
    const r = await chronicle({ seeds: [chronicleInput(f)], out }, c);
    expect(r.done).toBe(0);
    expect(r.failed).toBe(1);
    expect(r.written).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
