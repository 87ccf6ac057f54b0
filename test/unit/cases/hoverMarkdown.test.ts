// Case data in a hover shows literally: whatever an event, id, date or split holds, rendering the
// hover's markdown with marked (the renderer VS Code uses for hovers) gives its text back, and no
// link, image, emphasis, HTML or autolink that the data did not get from us.
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { caseHoverMarkdown, codeSpan, escapeMarkdown } from '../../../src/cases/editing/hover';

const HOSTILE = [
  '**bold** and _em_',
  '[link](command:workbench.action.terminal.new)',
  '[ref][1]\n\n[1]: command:evil',
  '![img](https://example.org/x.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="command:x">a</a>',
  'back`tick`s and ``` fences',
  '`',
  'https://example.org and www.example.org and a@b.co',
  '&lt;script&gt; &amp; &#x41;',
  '# heading',
  '| pipe | table |',
  '$(zap) icon',
  '\\*escaped\\*',
  '~~strike~~',
  'line\nbreak\r\nand\u2028separator',
];

/** Rendered HTML to the text a reader sees: tags dropped, entities decoded. */
function visible(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function render(markdown: string): string {
  return marked.parse(markdown, { async: false, gfm: true });
}

function aLine(over: { event?: string; id?: string; date?: string; split?: string; actual?: string }): string {
  return JSON.stringify({
    id: over.id ?? 'c-1',
    seed: { event: over.event ?? 'Seed', date: over.date ?? '2023-01-15' },
    levels: [
      {
        depth: 1,
        candidates: [
          { event: over.actual ?? 'Actual', label: 1 },
          { event: 'Other', label: 0 },
        ],
      },
    ],
    split: over.split ?? 'train',
  });
}

const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('hover markdown from untrusted case data', () => {
  it.each(HOSTILE)('shows %j literally wherever it sits', (text) => {
    for (const where of ['event', 'id', 'date', 'split', 'actual'] as const) {
      const md = caseHoverMarkdown(aLine({ [where]: text }));
      expect(md).toBeDefined();
      const html = render(md ?? '');
      expect(flat(visible(html)), where).toContain(flat(text));
      expect(html, where).not.toMatch(/<a |<img|<script|<del|<h1|<em>/);
      // Our own markup only: the bold seed event, and one table.
      expect((html.match(/<strong>/g) ?? []).length, where).toBe(1);
      expect((html.match(/<table>/g) ?? []).length, where).toBe(1);
      expect((html.match(/<tr>/g) ?? []).length, where).toBe(2);
    }
  });

  it('escapes markdown punctuation, leaves inert punctuation alone and flattens line breaks', () => {
    expect(escapeMarkdown('a*b[c](d)<e>&f:g@h|i')).toBe('a\\*b\\[c\\]\\(d\\)\\<e\\>\\&f\\:g\\@h\\|i');
    expect(escapeMarkdown('15% a/b, c; d? "e" f=g')).toBe('15% a/b, c; d? "e" f=g');
    expect(escapeMarkdown('x\ny\r\nz')).toBe('x y z');
  });

  it('fences code spans past any backtick run inside', () => {
    expect(codeSpan('plain')).toBe('`plain`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('')).toBe('(empty)');
    expect(visible(render(codeSpan('a``b')))).toContain('a``b');
  });
});
