// Quick fixes for case diagnostics. The provider only maps: the edits come from the pure
// src/cases/editing/fixes.ts, and each fix becomes one WorkspaceEdit on the affected line, so a
// single undo reverts it. "Edit Line as Formatted JSON" is offered on every non-blank line.
// Note the diagnostics published may lag the text by the debounce delay: fixes are computed from
// the line's current text, the diagnostics only say which rules to fix.
import * as vscode from 'vscode';
import { fixesForLine } from '../editing/fixes';
import type { LineDiagnosticRef } from '../editing/fixes';
import { CASE_COMMANDS } from '../commands';
import { DIAGNOSTIC_SOURCE } from './caseModels';

export const EDIT_LINE_TITLE = 'Edit line as formatted JSON';

export class CaseCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(
    doc: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    // Case lines are long and a diagnostic often covers one value ("0"), so the fixes for every
    // problem on the cursor's line are offered wherever the cursor is on that line.
    const cursorLine = range.start.line;
    const onCursorLine = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.range.start.line === cursorLine);
    const byKey = new Map<string, vscode.Diagnostic>();
    for (const d of [...context.diagnostics, ...onCursorLine]) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      byKey.set(`${String(d.range.start.line)}:${String(d.range.start.character)}:${codeOf(d)}:${d.message}`, d);
    }
    const ours = [...byKey.values()];
    const lines = new Set<number>([cursorLine, ...ours.map((d) => d.range.start.line)]);
    const actions: vscode.CodeAction[] = [];
    for (const line of lines) {
      if (line >= doc.lineCount) continue;
      const text = doc.lineAt(line).text;
      const onLine = ours.filter((d) => d.range.start.line === line);
      const refs: LineDiagnosticRef[] = onLine.map((d) => ({ code: codeOf(d), character: d.range.start.character }));
      for (const fix of fixesForLine(text, refs)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(line, e.start, line, e.end), e.newText);
        action.edit = edit;
        action.diagnostics = onLine.filter((d) => codeOf(d) === fix.code);
        action.isPreferred = fix.isPreferred;
        actions.push(action);
      }
    }
    if (
      cursorLine < doc.lineCount &&
      doc.lineAt(cursorLine).text.trim() !== '' &&
      wants(context, vscode.CodeActionKind.RefactorRewrite)
    ) {
      const action = new vscode.CodeAction(EDIT_LINE_TITLE, vscode.CodeActionKind.RefactorRewrite);
      action.command = {
        command: CASE_COMMANDS.editLineAsJson,
        title: EDIT_LINE_TITLE,
        arguments: [doc.uri, cursorLine],
      };
      actions.push(action);
    }
    return actions;
  }
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  if (typeof c === 'object' && c !== null) return String(c.value);
  return String(c ?? '');
}

function wants(context: vscode.CodeActionContext, kind: vscode.CodeActionKind): boolean {
  return !context.only || context.only.contains(kind) || kind.contains(context.only);
}
