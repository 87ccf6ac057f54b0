// Hover, completion and outline for case files: thin adapters from the pure models in
// src/cases/editing/ to VS Code's types. None of them parses the file: they read single lines or
// the incremental CaseDocument the diagnostics already keep up to date.
import * as vscode from 'vscode';
import { completionsAt } from '../editing/completion';
import { caseHoverMarkdown } from '../editing/hover';
import { OutlineCache, outlineOf } from '../editing/outline';
import type { OutlineSymbol } from '../editing/outline';
import type { CaseModels } from './caseModels';

export class CaseHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = doc.lineAt(position.line);
    if (line.isEmptyOrWhitespace) return undefined;
    const markdown = caseHoverMarkdown(line.text);
    if (markdown === undefined) return undefined;
    // Case data is untrusted: caseHoverMarkdown escapes it, and the string stays untrusted (no
    // command links), without HTML or theme icons ($(name) in an event would become an icon).
    const content = new vscode.MarkdownString(markdown, false);
    content.isTrusted = false;
    content.supportHtml = false;
    return new vscode.Hover(content, line.range);
  }
}

export class CaseCompletionProvider implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = ['"', ':', '{', ','];

  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const text = doc.lineAt(position.line).text;
    return completionsAt(text, position.character).map((spec) => {
      const item = new vscode.CompletionItem(
        spec.label,
        spec.kind === 'property' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember,
      );
      item.insertText = new vscode.SnippetString(spec.insertText);
      item.range = new vscode.Range(position.line, spec.start, position.line, spec.end);
      // VS Code filters by the text in the range, which includes the opening quote of a key.
      item.filterText = spec.kind === 'property' ? `"${spec.label}"` : spec.label;
      item.detail = spec.detail;
      if (spec.documentation) item.documentation = new vscode.MarkdownString(spec.documentation);
      item.sortText = spec.sortText;
      return item;
    });
  }
}

const SYMBOL_KIND: Record<OutlineSymbol['kind'], vscode.SymbolKind> = {
  case: vscode.SymbolKind.Event,
  invalid: vscode.SymbolKind.Null,
};

function toDocumentSymbol(s: OutlineSymbol): vscode.DocumentSymbol {
  const symbol = new vscode.DocumentSymbol(
    s.name,
    s.detail,
    SYMBOL_KIND[s.kind],
    new vscode.Range(s.line, s.start, s.line, s.end),
    new vscode.Range(s.line, s.selectionStart, s.line, s.selectionEnd),
  );
  symbol.children = s.children.map((level) => {
    const range = new vscode.Range(s.line, level.start, s.line, level.end);
    return new vscode.DocumentSymbol(level.name, level.detail, vscode.SymbolKind.Field, range, range);
  });
  return symbol;
}

export class CaseSymbolProvider implements vscode.DocumentSymbolProvider {
  // One cache per model object: a rebuilt or closed model simply drops its cache.
  private readonly caches = new WeakMap<object, OutlineCache>();

  constructor(private readonly models: CaseModels) {}

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const model = this.models.get(doc);
    let cache = this.caches.get(model);
    if (!cache) {
      cache = new OutlineCache();
      this.caches.set(model, cache);
    }
    return outlineOf(model, cache).map(toDocumentSymbol);
  }
}
