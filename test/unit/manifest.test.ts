// Commands as data (STYLE.md): every command package.json contributes is registered in source, and
// every registered `psychohistory.` command is contributed — a missing one is a dead menu entry or
// a command nobody can find. Command tables must use literal string keys for this scan to see them.
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

/** Command ids registered in src: keys of command tables and direct registerCommand calls. */
function registeredCommands(): Set<string> {
  const ids = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    if (!/registerCommand(Table)?\s*\(/.test(text)) continue;
    for (const m of text.matchAll(/['"`](psychohistory\.[A-Za-z0-9_.-]+)['"`]\s*:/g)) ids.add(m[1]!);
    for (const m of text.matchAll(/registerCommand\(\s*['"`](psychohistory\.[A-Za-z0-9_.-]+)['"`]/g)) ids.add(m[1]!);
  }
  return ids;
}

describe('package.json commands match the source', () => {
  const contributed = new Set((manifest.contributes.commands ?? []).map((c) => c.command));
  const registered = registeredCommands();

  it('finds the commands at all (the scan works)', () => {
    expect(registered.has('psychohistory.treatAsCaseDataset')).toBe(true);
  });

  it('every contributed command is registered in source', () => {
    expect([...contributed].filter((id) => !registered.has(id))).toEqual([]);
  });

  it('every registered command is contributed', () => {
    expect([...registered].filter((id) => !contributed.has(id))).toEqual([]);
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
