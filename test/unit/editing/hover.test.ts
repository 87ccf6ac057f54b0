import { describe, expect, it } from 'vitest';
import { caseHoverMarkdown, escapeMarkdown } from '../../../src/cases/editing/hover';
import { statusBarText, statusBarTooltip, sumWarnings } from '../../../src/cases/editing/statusText';
import { caseFromSpec as aCase, levelOf, lineOf } from '../cases/builders';

describe('case hover', () => {
  it('shows seed, date, id, split, depths and the actual per level', () => {
    const md = caseHoverMarkdown(lineOf(aCase({ id: 'tech-1', split: 'train' })));
    expect(md).toBe(
      [
        '**Tech layoffs**',
        '',
        'date `2023-01-15` · id `tech-1` · split `train` · 2 levels (depths 1, 2)',
        '',
        '| depth | actual | candidates |',
        '|---|---|---|',
        '| 1 | Stock drops 15% (candidate 1 of 3) | 3 |',
        '| 2 | CEO resigns (candidate 2 of 2) | 2 |',
      ].join('\n'),
    );
  });

  it('says what is wrong on a broken case instead of hiding', () => {
    const md = caseHoverMarkdown(
      lineOf(
        aCase({
          levels: [levelOf(['A', 0], ['B', 0]), { ...levelOf(['C', 1], ['D', 1]), depth: 5 }],
        }),
      ),
    );
    expect(md).toContain('| 1 | _no actual_ | 2 |');
    expect(md).toContain('| 5 | _2 actuals_ | 2 |');
    expect(md).toContain('split —');
  });

  it('escapes markdown in events', () => {
    const md = caseHoverMarkdown(lineOf(aCase({ event: 'Fed *cuts* rates | [link](x)' })));
    expect(md?.split('\n')[0]).toBe('**Fed \\*cuts\\* rates \\| \\[link\\]\\(x\\)**');
    expect(escapeMarkdown('a_b')).toBe('a\\_b');
  });

  it('is undefined on lines that are not JSON objects', () => {
    for (const line of ['', 'nope', '[1]', '{"a": ', '42']) expect(caseHoverMarkdown(line)).toBeUndefined();
  });

  it('tolerates an object with nothing of a case', () => {
    expect(caseHoverMarkdown('{"levels": "x"}')).toBe('**(no seed event)**\n\ndate — · split — · 0 levels');
  });
});

describe('status bar text', () => {
  it('counts cases and errors with plurals', () => {
    expect(statusBarText({ cases: 120, errors: 3, warnings: 1 })).toBe('$(checklist) 120 cases, 3 errors');
    expect(statusBarText({ cases: 1, errors: 1, warnings: 0 })).toBe('$(checklist) 1 case, 1 error');
    expect(statusBarTooltip({ cases: 2, errors: 0, warnings: 1 })).toContain('1 warning.');
  });

  it('totals warnings kept per code', () => {
    expect(sumWarnings({ 'duplicate-candidate': 2, 'repeated-seed': 1 })).toBe(3);
    expect(sumWarnings(4)).toBe(4);
  });
});
