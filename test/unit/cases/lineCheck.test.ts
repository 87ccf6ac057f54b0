// Every line-level rule: a passing and a failing fixture, with exact ranges and messages.
import { describe, expect, it } from 'vitest';
import { checkLine, MAX_LINE_LENGTH } from '../../../src/cases/lineCheck';
import { aCase, aLevel, caseLine, spanOf } from './builders';

function found(text: string): { code: string; severity: string; span: [number, number]; message: string }[] {
  return checkLine(text).diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    span: [d.range.start.character, d.range.end.character],
    message: d.message,
  }));
}

describe('a valid case', () => {
  it('has no diagnostics, facts and the case itself', () => {
    const text = caseLine(aCase({ source: { url: 'https://example.org' } }));
    const r = checkLine(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.case?.seed.event).toBe('Tech layoffs');
    expect(r.facts).toEqual({
      id: 'tech-layoffs-2023-01',
      seedKey: 'tech layoffs\u00002023-01-15',
      split: 'train',
      actualPositions: [0],
      candidateCounts: [3],
    });
  });

  it('accepts optional keys left out and several levels', () => {
    const text = caseLine(
      aCase({ levels: [aLevel(1), aLevel(2, ['A', 'B'], 1), aLevel(3, ['C', 'D', 'E', 'F'], 3)] }),
      (o) => {
        delete o.id;
        delete o.split;
      },
    );
    expect(found(text)).toEqual([]);
  });
});

describe('json-syntax', () => {
  const cases: [string, string, string][] = [
    ['single quotes', `{'seed': 1}`, "'seed'"],
    ['trailing comma', '{"id":"a",}', '}'],
    ['comment', '{"id":"a"} // note', '// note'],
    ['NaN', '{"id":NaN}', 'NaN'],
    ['control character in a string', '{"id":"a\tb"}', '"a\tb"'],
    ['two values on a line', '{"id":"a"} {"id":"b"}', '{'],
    ['non-breaking space between tokens', '{"id":\u00a0"a"}', '\u00a0'],
    ['byte order mark inside the file', '\ufeff{"id":"a"}', '\ufeff'],
  ];
  for (const [name, text, at] of cases) {
    it(`reports ${name} where it is`, () => {
      const first = found(text)[0];
      expect(first?.code).toBe('json-syntax');
      const start = name === 'two values on a line' ? text.lastIndexOf('{') : text.indexOf(at);
      expect(first?.span[0]).toBe(start);
    });
  }

  it('names the fix', () => {
    expect(found(`{'seed': 1}`)[0]?.message).toContain('double quotes');
    expect(found('{"id":"a",}')[0]?.message).toContain('trailing comma');
    expect(found('{"id":"a"} // note')[0]?.message).toContain('comments are not allowed');
    expect(found('{"id":NaN}')[0]?.message).toContain('NaN is not JSON');
  });

  it('reports an unfinished line at its end', () => {
    const text = '{"id":"a", "seed": {';
    const d = found(text);
    expect(d.length).toBeGreaterThan(0);
    expect(d.every((x) => x.code === 'json-syntax' && x.span[1] <= text.length)).toBe(true);
  });
});

describe('line-too-long', () => {
  it('rejects a line over 1 MiB without parsing it', () => {
    const text = `{"id":"${'x'.repeat(MAX_LINE_LENGTH)}"}`;
    expect(found(text)).toEqual([
      {
        code: 'line-too-long',
        severity: 'error',
        span: [0, text.length],
        message: expect.stringContaining('1,048,576') as string,
      },
    ]);
  });

  it('accepts a line of exactly the limit', () => {
    const base = caseLine(aCase({ id: '' }));
    const text = base.replace('"id":""', `"id":"${'x'.repeat(MAX_LINE_LENGTH - base.length)}"`);
    expect(text.length).toBe(MAX_LINE_LENGTH);
    expect(found(text)).toEqual([]);
  });
});

describe('schema', () => {
  it('puts a wrong label on the label value, naming field and fix', () => {
    const text = caseLine(aCase(), (o) => {
      ((o.levels as { candidates: { label: number }[] }[])[0]?.candidates[2] as { label: number }).label = 2;
    });
    expect(found(text)).toEqual([
      {
        code: 'schema',
        severity: 'error',
        span: spanOf(text, '2', text.split('2').length - 2),
        message: 'levels[0].candidates[2].label must be 0 or 1 (got 2)',
      },
    ]);
  });

  it('flags a missing key on the object that should hold it', () => {
    const text = caseLine(aCase(), (o) => {
      delete (o.seed as Record<string, unknown>).date;
    });
    expect(found(text)).toEqual([
      {
        code: 'schema',
        severity: 'error',
        span: spanOf(text, '{"event":"Tech layoffs"}'),
        message: 'seed is missing "date": add "date" as a date as "YYYY-MM-DD"',
      },
    ]);
  });

  it('flags an unknown key on the key, suggesting the likely one', () => {
    const text =
      '{"seed":{"event":"E","date":"2023-01-15"},"levels":[{"depth":1,"candidates":[{"event":"a","label":1},{"event":"b","lable":0}]}]}';
    const d = found(text);
    expect(d).toContainEqual({
      code: 'unknown-key',
      severity: 'error',
      span: spanOf(text, '"lable"'),
      message:
        'unknown key "lable" in levels[0].candidates[1]: did you mean "label"? allowed keys are event, label, sources',
    });
    expect(d).toContainEqual(
      expect.objectContaining({
        code: 'schema',
        message: 'levels[0].candidates[1] is missing "label": add "label" as 0 or 1',
      }),
    );
  });

  it('reports every error of a line, not only the first', () => {
    const text =
      '{"id":"","seed":{"event":" ","date":"2023/01/15"},"levels":[{"depth":1,"candidates":[{"event":"a","label":1}]}],"split":"dev","extra":true}';
    const codes = found(text).map((d) => `${d.code}:${text.slice(d.span[0], d.span[1])}`);
    expect(codes).toEqual([
      'schema:""',
      'schema:" "',
      'schema:"2023/01/15"',
      'schema:[{"event":"a","label":1}]',
      'schema:"dev"',
      'unknown-key:"extra"',
    ]);
    expect(found(text).map((d) => d.message)).toContain('levels[0].candidates must have at least 2 candidates (got 1)');
    expect(found(text).map((d) => d.message)).toContain('split must be one of "train", "eval", "test" (got "dev")');
  });

  it('says a line must be an object', () => {
    expect(found('[1,2]')).toEqual([
      {
        code: 'schema',
        severity: 'error',
        span: [0, 5],
        message: 'each line must be one case, a JSON object with "seed" and "levels" (got an array of 2)',
      },
    ]);
  });
});

describe('forecasting rules', () => {
  it('no-actual: on every label of the level', () => {
    const text = caseLine(aCase({ levels: [aLevel(1, ['A', 'B'], -1)] }));
    const d = found(text);
    const label = (nth: number): [number, number] => {
      const at = spanOf(text, '"label":0', nth)[0] + '"label":'.length;
      return [at, at + 1];
    };
    expect(d.map((x) => [x.code, x.span])).toEqual([
      ['no-actual', label(0)],
      ['no-actual', label(1)],
    ]);
    expect(d[0]?.message).toBe(
      'levels[0] has no actual: set "label": 1 on the one candidate that happened (all 2 have 0)',
    );
  });

  it('multiple-actuals: on each label 1', () => {
    const text =
      '{"seed":{"event":"E","date":"2023-01-15"},"levels":[{"depth":1,"candidates":[{"event":"a","label":1},{"event":"b","label":0},{"event":"c","label":1}]}]}';
    const ones = [spanOf(text, '"label":1', 0)[0] + 8, spanOf(text, '"label":1', 1)[0] + 8];
    expect(found(text).map((x) => [x.code, x.span[0]])).toEqual([
      ['multiple-actuals', ones[0]],
      ['multiple-actuals', ones[1]],
    ]);
    expect(found(text)[0]?.message).toContain('levels[0] has 2 actuals (candidates[0], candidates[2])');
  });

  it('depth-sequence: on each depth out of place', () => {
    const text = caseLine(aCase({ levels: [aLevel(1), aLevel(3), aLevel(4)] }));
    const d = found(text);
    expect(d.map((x) => [x.code, text.slice(x.span[0], x.span[1]), x.message])).toEqual([
      ['depth-sequence', '3', 'levels[1].depth must be 2 (got 3): depths start at 1 and rise by 1 from level to level'],
      ['depth-sequence', '4', 'levels[2].depth must be 3 (got 4): depths start at 1 and rise by 1 from level to level'],
    ]);
  });

  it('invalid-date: a date-shaped string that is not in the calendar', () => {
    for (const [date, ok] of [
      ['2023-02-30', false],
      ['2023-13-01', false],
      ['2024-02-29', true],
      ['2023-02-29', false],
      ['1900-02-29', false],
      ['2000-02-29', true],
    ] as const) {
      const text = caseLine(aCase({ seed: { event: 'E', date } }));
      const d = found(text);
      if (ok) expect(d).toEqual([]);
      else
        expect(d).toEqual([
          {
            code: 'invalid-date',
            severity: 'error',
            span: spanOf(text, `"${date}"`),
            message: expect.stringContaining(`seed.date "${date}" is not a real calendar date`) as string,
          },
        ]);
    }
  });

  it('duplicate-candidate: normalised equality, on the later candidate', () => {
    const text = caseLine(aCase({ levels: [aLevel(1, ['Stock drops 15%', 'IPO delayed', 'stock  DROPS 15'])] }));
    expect(found(text)).toEqual([
      {
        code: 'duplicate-candidate',
        severity: 'warning',
        span: spanOf(text, '"stock  DROPS 15"'),
        message: 'levels[0].candidates[2].event duplicates candidates[0] "Stock drops 15%": remove one of them',
      },
    ]);
    expect(checkLine(text).case).toBeDefined(); // warnings keep the case valid
  });

  it('near-duplicate-candidate: token Jaccard above 0.6 only', () => {
    const near = caseLine(
      aCase({ levels: [aLevel(1, ['Apple shares fall sharply today', 'Apple shares fall sharply', 'IPO delayed'])] }),
    );
    expect(found(near).map((d) => [d.code, near.slice(d.span[0], d.span[1])])).toEqual([
      ['near-duplicate-candidate', '"Apple shares fall sharply"'],
    ]);
    const far = caseLine(aCase({ levels: [aLevel(1, ['Apple shares fall', 'Apple shares rise', 'IPO delayed'])] }));
    expect(found(far)).toEqual([]); // 2 of 4 tokens shared: 0.5
  });
});

describe('blank lines', () => {
  it('are left to the document', () => {
    expect(checkLine('')).toEqual({ diagnostics: [], blank: true });
    expect(checkLine(' \t ')).toEqual({ diagnostics: [], blank: true });
  });
});
