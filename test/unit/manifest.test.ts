// Commands as data (STYLE.md): every command package.json contributes is registered in source, and
// every registered `psychohistory.` command is contributed — a missing one is a dead menu entry or
// a command nobody can find. Command-table keys are literal ids or constants holding them
// (`const X = 'psychohistory.x'`, `const T = { x: 'psychohistory.x' }`), which the scan resolves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands?: { command: string; title?: string; category?: string }[];
    configuration?: { properties?: Record<string, { description?: string; markdownDescription?: string }> };
    menus?: Record<string, { command: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/**
 * `const NAME = 'psychohistory.x'` and `const NAME = { key: 'psychohistory.x', … }` anywhere in src,
 * so command tables may use computed keys (`[NAME]`, `[NAME.key]`) as well as literal ones.
 */
function commandConstants(texts: string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const text of texts) {
    for (const m of text.matchAll(/\bconst\s+(\w+)\s*=\s*['"`](psychohistory\.[\w.-]+)['"`]/g)) names.set(m[1]!, m[2]!);
    for (const m of text.matchAll(/\bconst\s+(\w+)\s*=\s*\{([^{}]*)\}/g)) {
      for (const p of m[2]!.matchAll(/(\w+)\s*:\s*['"`](psychohistory\.[\w.-]+)['"`]/g))
        names.set(`${m[1]!}.${p[1]!}`, p[2]!);
    }
  }
  return names;
}

/** The text of the object literal passed to each registerCommandTable(ctx, { … }) call. */
function commandTables(text: string): string[] {
  const tables: string[] = [];
  for (const m of text.matchAll(/registerCommandTable\(\s*\w+\s*,\s*\{/g)) {
    let depth = 0;
    const open = m.index + m[0].length - 1;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        tables.push(text.slice(open, i + 1));
        break;
      }
    }
  }
  return tables;
}

/** Command ids registered in src: keys of command tables and direct registerCommand calls. */
function registeredCommands(): { ids: Set<string>; unresolved: string[] } {
  const files = sourceFiles(join(root, 'src')).map((f) => readFileSync(f, 'utf8'));
  const constants = commandConstants(files);
  const ids = new Set<string>();
  const unresolved: string[] = [];
  for (const text of files) {
    for (const table of commandTables(text)) {
      for (const m of table.matchAll(/['"`](psychohistory\.[\w.-]+)['"`]\s*:/g)) ids.add(m[1]!);
      for (const m of table.matchAll(/\[\s*([A-Za-z_]\w*(?:\.\w+)?)\s*\]\s*:/g)) {
        const id = constants.get(m[1]!);
        if (id) ids.add(id);
        else unresolved.push(m[1]!);
      }
    }
    for (const m of text.matchAll(/registerCommand\(\s*['"`](psychohistory\.[\w.-]+)['"`]/g)) ids.add(m[1]!);
  }
  return { ids, unresolved };
}

describe('package.json commands match the source', () => {
  const contributed = new Set((manifest.contributes.commands ?? []).map((c) => c.command));
  const { ids: registered, unresolved } = registeredCommands();

  it('finds the commands at all (the scan works)', () => {
    expect(registered.has('psychohistory.treatAsCaseDataset')).toBe(true);
  });

  it('resolves every computed command-table key to a psychohistory. constant', () => {
    expect(unresolved).toEqual([]);
  });

  it('every contributed command is registered in source', () => {
    expect([...contributed].filter((id) => !registered.has(id))).toEqual([]);
  });

  it('every registered command is contributed', () => {
    expect([...registered].filter((id) => !contributed.has(id))).toEqual([]);
  });

  it('code runs and links commands by their constant, never by an id spelled by hand or guessed', () => {
    const spelled = sourceFiles(join(root, 'src')).flatMap((f) =>
      [
        ...readFileSync(f, 'utf8').matchAll(/(?:executeCommand\(\s*|command:\s*)['"`](psychohistory\.[\w.-]+)['"`]/g),
      ].map((m) => `${f.slice(root.length + 1)}: ${m[1]!}`),
    );
    expect(spelled).toEqual([]);
  });

  it('every command has a title, the PsychoHistory category and the psychohistory. prefix', () => {
    for (const c of manifest.contributes.commands ?? []) {
      expect(c.command, c.command).toMatch(/^psychohistory\./);
      expect(c.title, c.command).toBeTruthy();
      expect(c.category, c.command).toBe('PsychoHistory');
    }
  });

  it('menus only name contributed commands', () => {
    for (const [menu, items] of Object.entries(manifest.contributes.menus ?? {})) {
      for (const item of items) expect(contributed.has(item.command), `${menu}: ${item.command}`).toBe(true);
    }
  });

  it('activates on the case language', () => {
    expect(manifest.activationEvents).toContain('onLanguage:psychohistory-cases');
  });

  it('every setting has a description', () => {
    for (const [key, prop] of Object.entries(manifest.contributes.configuration?.properties ?? {})) {
      expect(prop.description ?? prop.markdownDescription, key).toBeTruthy();
    }
  });
});
