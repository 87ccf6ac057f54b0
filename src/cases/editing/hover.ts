// Hover text for a case line: what a reader needs without scanning the JSON — the seed, its date,
// the depths and the actual outcome per level. Works on partially broken cases too (missing parts
// show as "—", a level without exactly one actual says so), because that is when it helps.
import { MAX_LINE_LENGTH } from '../lineCheck';
import { parseLine } from '../../lineEdit/lineEdit';
import { asArray, asString, isRecord, levelsOf, shorten } from './caseShape';

/**
 * Escape text so markdown renders it literally. Case data is untrusted (a dataset from anywhere):
 * every ASCII punctuation character that markdown or GFM can read as syntax gets a backslash (CommonMark
 * allows one before any of them; % , ; ' " ? / = stay as they are, inert once the others are escaped), so
 * no emphasis, link, image, HTML tag, entity (`&amp;`), autolink (`https\://`, `a\@b`), table pipe
 * or heading survives; line breaks become spaces so the text stays one paragraph or table cell.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!#$&()*+\-.:<>@[\\\]^_`{|}~]/g, '\\$&').replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ');
}

/**
 * Untrusted text as an inline code span: the fence is one backtick longer than any run inside, and
 * a space pads content that starts or ends with a backtick (CommonMark strips one on each side).
 * Inside a code span nothing is markdown, so `<img>` or `[x](command:…)` show as written.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ');
  if (flat === '') return '(empty)'; // `` is no code span: it would show as two backticks
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad =
    flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '')
      ? ' '
      : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function actualText(candidates: { event?: string; label: unknown }[]): string {
  const actuals = candidates.map((c, i) => ({ c, i })).filter(({ c }) => c.label === 1);
  if (actuals.length === 0) return '_no actual_';
  if (actuals.length > 1) return `_${String(actuals.length)} actuals_`;
  const only = actuals[0];
  if (!only) return '_no actual_';
  const event = only.c.event !== undefined ? escapeMarkdown(shorten(only.c.event, 80)) : '—';
  return `${event} (candidate ${String(only.i + 1)} of ${String(candidates.length)})`;
}

interface SourceView {
  url: string;
  published?: string;
  title?: string;
}

function sourcesOf(v: unknown): SourceView[] {
  return asArray(v)
    .filter(isRecord)
    .flatMap((s) => {
      const url = asString(s['url']);
      return url === undefined ? [] : [{ url, published: asString(s['published']), title: asString(s['title']) }];
    });
}

/** One line per source: date, title (escaped), URL as a code span (shown, never a live link). */
function sourceLines(label: string, sources: SourceView[]): string[] {
  return sources
    .slice(0, 5)
    .map((s) => {
      const title = s.title !== undefined && s.title.trim() !== '' ? ` ${escapeMarkdown(shorten(s.title, 80))}` : '';
      return `- ${label} · ${s.published !== undefined ? codeSpan(shorten(s.published, 20)) : '_no date_'}${title} ${codeSpan(shorten(s.url, 120))}`;
    })
    .concat(sources.length > 5 ? [`- ${label} · _and ${String(sources.length - 5)} more_`] : []);
}

/** Provenance and review (contract 1's optional fields): who wrote the case, where it stands, its evidence. */
function provenanceLines(value: Record<string, unknown>): string[] {
  const out: string[] = [];
  const facts: string[] = [];
  const review = isRecord(value['review']) ? value['review'] : undefined;
  const status = review ? asString(review['status']) : undefined;
  if (status !== undefined) {
    const checks = asArray(review?.['checks']).filter(isRecord);
    const failed = checks.filter((c) => c['ok'] === false).map((c) => asString(c['name']) ?? '?');
    const summary =
      checks.length > 0
        ? ` (${String(checks.length - failed.length)}/${String(checks.length)} checks passed${failed.length > 0 ? `; failed: ${failed.map((f) => codeSpan(shorten(f, 40))).join(', ')}` : ''})`
        : '';
    facts.push(`review ${codeSpan(shorten(status, 20))}${summary}`);
  }
  const provenance = isRecord(value['provenance']) ? value['provenance'] : undefined;
  if (provenance) {
    const agent = asString(provenance['agent']);
    const model = asString(provenance['model']);
    const created = asString(provenance['createdAt']);
    facts.push(
      `by ${agent !== undefined ? codeSpan(shorten(agent, 40)) : '—'}${model !== undefined ? ` with ${codeSpan(shorten(model, 80))}` : ''}${created !== undefined ? ` on ${codeSpan(shorten(created, 40))}` : ''}`,
    );
  }
  if (facts.length > 0) out.push('', facts.join(' · '));
  const seed = isRecord(value['seed']) ? value['seed'] : {};
  const lines = sourceLines('seed', sourcesOf(seed['sources']));
  asArray(value['levels']).forEach((level, i) => {
    const candidates = isRecord(level) ? asArray(level['candidates']) : [];
    const actual = candidates.filter(isRecord).find((c) => c['label'] === 1);
    if (actual) lines.push(...sourceLines(`depth ${String(i + 1)}`, sourcesOf(actual['sources'])));
  });
  if (lines.length > 0) out.push('', '**Sources**', '', ...lines);
  return out;
}

/** Markdown for the hover of a case line, or undefined when the line is not a JSON object. */
export function caseHoverMarkdown(lineText: string): string | undefined {
  if (lineText.length > MAX_LINE_LENGTH) return undefined;
  const parsed = parseLine(lineText);
  if (!parsed || !isRecord(parsed.value)) return undefined;
  const value = parsed.value;
  const seed = isRecord(value['seed']) ? value['seed'] : {};
  const event = asString(seed['event']);
  const date = asString(seed['date']);
  const id = asString(value['id']);
  const split = asString(value['split']);
  const levels = levelsOf(value);

  const out: string[] = [];
  out.push(
    `**${event !== undefined && event.trim() !== '' ? escapeMarkdown(shorten(event, 100)) : '(no seed event)'}**`,
  );
  out.push('');
  const facts: string[] = [`date ${date !== undefined ? codeSpan(shorten(date, 80)) : '—'}`];
  if (id !== undefined) facts.push(`id ${codeSpan(shorten(id, 80))}`);
  facts.push(`split ${split !== undefined ? codeSpan(shorten(split, 80)) : '—'}`);
  const depths = levels.map((l) => (typeof l.depth === 'number' ? String(l.depth) : '?'));
  facts.push(
    `${String(levels.length)} level${levels.length === 1 ? '' : 's'}${levels.length > 0 ? ` (depths ${depths.join(', ')})` : ''}`,
  );
  out.push(facts.join(' · '));
  if (levels.length > 0) {
    out.push('');
    out.push('| depth | actual | candidates |');
    out.push('|---|---|---|');
    levels.forEach((l, i) => {
      out.push(`| ${depths[i] ?? '?'} | ${actualText(l.candidates)} | ${String(l.candidates.length)} |`);
    });
  }
  out.push(...provenanceLines(value));
  return out.join('\n');
}
