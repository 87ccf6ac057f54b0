// A scripted "model" for the OpenRouter stand-in: it answers the data agents' three requests
// (schema names `seed_events`, `chronicle`, `verification`) from a small invented world, so tests
// and the benchmark exercise the whole protocol with answers whose truth is known. Its seeds are
// distinct by the near-duplicate rule, its chronicles cite what the search "returned", and a test
// can make it misbehave per seed (uncited or undated sources, a leaky seed, a failed check).
import { VERIFIER_CHECKS } from '../../src/agents/answers';
import type { ChatRequest, Citation, ModelAnswer } from './server';

const ACTORS = [
  'Central bank',
  'Parliament',
  'Regulator',
  'Port authority',
  'Automaker',
  'Chipmaker',
  'Airline',
  'Court',
  'Mining firm',
  'Telecom',
  'Utility',
  'Retailer',
  'Shipping line',
  'Pharma company',
  'City council',
  'Football league',
  'Space agency',
  'Bank',
  'Union',
  'Ministry',
];
const ACTIONS = [
  'announces',
  'approves',
  'suspends',
  'cancels',
  'launches',
  'delays',
  'fines',
  'raises',
  'cuts',
  'opens',
  'closes',
  'sells',
  'buys',
  'bans',
  'restarts',
];
const OBJECTS = [
  'merger',
  'rate',
  'tariff',
  'factory',
  'route',
  'license',
  'strike',
  'bond issue',
  'reactor',
  'stadium',
  'pipeline',
  'satellite',
  'vaccine trial',
  'budget',
  'subsidy',
  'lawsuit',
  'dividend',
  'spinoff',
];

export interface WorldOptions {
  /** Per seed event text (substring): how the chronicle of that seed misbehaves. */
  chronicleQuirks?: Record<string, 'uncited-source' | 'undated-source' | 'not-found' | 'early-source'>;
  /** Per seed substring: which verifier check fails. */
  failCheck?: Record<string, string>;
  /** Brainstorm repeats itself this often (0..1): exercises the de-duplication. */
  repeatShare?: number;
}

function field(text: string, name: string): string {
  const m = new RegExp(`^${name}: (.*)$`, 'm').exec(text);
  return m?.[1]?.trim() ?? '';
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export class World {
  private n = 0;
  private readonly proposed: string[] = [];
  constructor(private readonly options: WorldOptions = {}) {}

  respond = (req: ChatRequest): ModelAnswer => {
    const name = req.response_format?.json_schema?.name;
    const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
    if (name === 'seed_events') return this.brainstorm(user);
    if (name === 'chronicle') return this.chronicle(user);
    if (name === 'verification') return this.verify(user);
    return { content: { error: `the world does not know the schema ${String(name)}` } };
  };

  private brainstorm(user: string): ModelAnswer {
    const domain = field(user, 'Domain').replace(/\.$/, '');
    const m = /between (\d{4}-\d{2}-\d{2}) and (\d{4}-\d{2}-\d{2})/.exec(user);
    const from = m?.[1] ?? '2019-01-01';
    const n = Number(/Propose (\d+)/.exec(user)?.[1] ?? '5');
    const seeds = [];
    for (let k = 0; k < n; k++) {
      const repeat = this.proposed.length > 0 && (this.n * 7919) % 100 < (this.options.repeatShare ?? 0) * 100;
      const i = this.n++;
      const event = repeat
        ? (this.proposed[i % this.proposed.length] as string)
        : `${ACTORS[i % ACTORS.length]} ${ACTIONS[Math.floor(i / ACTORS.length) % ACTIONS.length]} ${OBJECTS[Math.floor(i / (ACTORS.length * ACTIONS.length)) % OBJECTS.length]} ${domain.toLowerCase()} plan ${i}`;
      if (!repeat) this.proposed.push(event);
      seeds.push({ event, date: addDays(from, (i * 13) % 700), checkable: 'widely reported by national press' });
    }
    return { content: { seeds } };
  }

  private chronicle(user: string): ModelAnswer {
    const event = field(user, 'Seed event');
    const date = field(user, 'Date');
    const depth = Number(/Report (\d+) depth/.exec(user)?.[1] ?? '1');
    const alts = Number(/each with (\d+) alternatives/.exec(user)?.[1] ?? '3');
    const quirk = Object.entries(this.options.chronicleQuirks ?? {}).find(([k]) => event.includes(k))?.[1];
    if (quirk === 'not-found') return { content: { found: false, seedSources: [], levels: [] } };
    const key = event.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const citations: Citation[] = [];
    const source = (
      site: string,
      path: string,
      published: string,
      cited = true,
    ): { url: string; title: string; published: string; quote: string } => {
      const url = `https://${site}/${key}/${path}`;
      if (cited) citations.push({ url, title: `${site}: ${path}`, content: `Report on ${event}` });
      return { url, title: `${site}: ${path}`, published, quote: `reported on ${published}` };
    };
    const levels = [];
    for (let d = 1; d <= depth; d++) {
      const when = addDays(date, d * 9);
      const sources = [
        source('news.example.com', `d${d}`, when),
        source('wire.example.org', `d${d}`, addDays(when, 1)),
      ];
      if (quirk === 'uncited-source') sources.push(source('blog.example.net', `d${d}`, when, false));
      if (quirk === 'undated-source')
        sources.push({ ...source('paper.example.org', `d${d}`, when), published: 'last spring' });
      if (quirk === 'early-source') sources.push(source('old.example.org', `d${d}`, addDays(date, -30)));
      levels.push({
        actual: {
          event: `Step ${d} after ${event.split(' ').slice(0, 2).join(' ')}: ${OBJECTS[d % OBJECTS.length]} review ordered`,
          date: when,
          sources,
        },
        alternatives: Array.from(
          { length: alts },
          (_, k) =>
            `Alternative ${k + 1} at step ${d}: ${ACTORS[(k + d) % ACTORS.length]} ${ACTIONS[(k * 3 + d) % ACTIONS.length]} nothing new`,
        ),
      });
    }
    return { content: { found: true, seedSources: [source('archive.example.com', 'seed', date)], levels }, citations };
  }

  private verify(user: string): ModelAnswer {
    const c = JSON.parse(user) as { seed: { event: string } };
    const failing = Object.entries(this.options.failCheck ?? {}).find(([k]) => c.seed.event.includes(k))?.[1];
    return {
      content: {
        checks: VERIFIER_CHECKS.map((name) => ({
          name,
          ok: name !== failing,
          detail: name === failing ? 'two outlets share one wire report' : 'checked against the cited reports',
        })),
      },
      citations: [{ url: 'https://news.example.com/verification', title: 'verification', content: '' }],
    };
  }
}
