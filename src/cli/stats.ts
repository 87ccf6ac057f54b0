// `psychohistory stats FILE [--format text|json]`: what a dataset holds (cases, levels per depth,
// candidates per level, where the actual sits, splits, warnings). Exit 0, or 2 on usage/I-O error.
import { CaseDocument } from '../cases/caseDocument';
import { statsOf } from '../cases/stats';
import type { CaseStats } from '../cases/stats';
import { formatOption, onePositional, parseOptions } from './format';
import { EXIT_OK, EXIT_USAGE } from './types';
import type { CliCommand, CliIo } from './types';

function table(title: string, rec: Record<string, number>, label: (key: string) => string): string[] {
  const keys = Object.keys(rec).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  if (keys.length === 0) return [`${title}: none`];
  const total = keys.reduce((s, k) => s + (rec[k] ?? 0), 0);
  return [
    `${title}:`,
    ...keys.map((k) => {
      const n = rec[k] ?? 0;
      return `  ${label(k).padEnd(24)} ${String(n).padStart(8)}  ${((100 * n) / total).toFixed(1).padStart(5)}%`;
    }),
  ];
}

export function formatStats(file: string, s: CaseStats): string {
  const warnings = Object.values(s.warnings).reduce((a, b) => a + b, 0);
  return [
    `${file}`,
    `cases: ${s.cases}   invalid lines: ${s.invalidLines}   errors: ${s.errors}   warnings: ${warnings}`,
    ...table('levels per depth', s.levelsPerDepth, (k) => `depth ${k}`),
    ...table('candidates per level', s.candidatesPerLevel, (k) => `${k} candidates`),
    ...table('actual position', s.actualPosition, (k) => `candidate ${k}`),
    ...table('splits', s.splits, (k) => k),
    ...table('warnings', s.warnings, (k) => k),
  ].join('\n');
}

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'summarise a case file: cases, depths, candidates, actual positions, splits, warnings',
  usage: [
    'usage: psychohistory stats FILE [--format text|json]',
    '',
    '  --format json   {file, cases, invalidLines, levelsPerDepth, candidatesPerLevel, actualPosition,',
    '                   splits, errors, warnings} (actualPosition is 1-based; splits has "none")',
    '',
    'exit codes: 0 done, 2 usage or I/O error',
  ].join('\n'),
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(args, { format: { type: 'string' } });
    const format = formatOption(values.format);
    const file = onePositional(positionals, 'stats needs exactly one FILE');
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (err) {
      io.stderr(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_USAGE;
    }
    const stats = statsOf(new CaseDocument(text));
    io.stdout(format === 'json' ? `${JSON.stringify({ file, ...stats }, null, 2)}\n` : `${formatStats(file, stats)}\n`);
    return EXIT_OK;
  },
};
