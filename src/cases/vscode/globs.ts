// Which documents are case datasets beyond the manifest's filenamePatterns: the user's
// `psychohistory.cases.globs` setting, applied to documents as they open and to every open one
// when the setting changes, and the "Treat File as Case Dataset" command for a one-off file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../shell/context';
import { affectsSetting, readCasesConfig } from '../../config/vscode/config';
import { SETTINGS } from '../../config/settings';
import { CASES_LANGUAGE, isCaseDocument } from './language';
import { LINE_SCHEME } from './lineEditor';

/** A glob as VS Code document filters: relative globs are taken per workspace folder. */
function filtersFor(glob: string): vscode.DocumentFilter[] {
  const absolute = glob.startsWith('**') || glob.startsWith('/') || path.isAbsolute(glob);
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (absolute || folders.length === 0) return [{ pattern: glob }];
  return [{ pattern: glob }, ...folders.map((f) => ({ pattern: new vscode.RelativePattern(f, glob) }))];
}

export function registerCaseGlobs(ctx: Ctx): vscode.Disposable[] {
  // Each document is switched at most once per setting value, so a user who switches a matching
  // file back to another language by hand is not overruled on the next open event.
  let applied = new Set<string>();

  const apply = async (doc: vscode.TextDocument): Promise<void> => {
    try {
      if (isCaseDocument(doc) || doc.uri.scheme === LINE_SCHEME || doc.uri.scheme === 'output') return;
      const key = doc.uri.toString();
      if (applied.has(key)) return;
      const filters = readCasesConfig().globs.flatMap(filtersFor);
      if (!filters.some((f) => vscode.languages.match(f, doc) > 0)) return;
      applied.add(key);
      await vscode.languages.setTextDocumentLanguage(doc, CASES_LANGUAGE);
    } catch (err) {
      ctx.log.error(`applying psychohistory.cases.globs to ${doc.uri.toString()}: ${String(err)}`);
    }
  };

  for (const doc of vscode.workspace.textDocuments) void apply(doc);
  return [
    vscode.workspace.onDidOpenTextDocument((doc) => void apply(doc)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      // A language switch arrives as close + open in one go; only a real close (the document is
      // still gone a moment later) forgets it, so reopening the file applies the globs again.
      const key = doc.uri.toString();
      setTimeout(() => {
        if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) applied.delete(key);
      }, 0);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsSetting(e, SETTINGS.casesGlobs)) return;
      applied = new Set();
      for (const doc of vscode.workspace.textDocuments) void apply(doc);
    }),
  ];
}

/** "Treat File as Case Dataset": the explorer's file, else the active editor's document. */
export async function treatAsCaseDataset(arg?: unknown): Promise<void> {
  const doc =
    arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
  if (!doc) throw new Error('Open a .jsonl file first, then run "Treat File as Case Dataset".');
  if (isCaseDocument(doc)) {
    void vscode.window.showInformationMessage(`${path.basename(doc.uri.path)} is already a case dataset.`);
    return;
  }
  const opened = await vscode.languages.setTextDocumentLanguage(doc, CASES_LANGUAGE);
  if (arg instanceof vscode.Uri) await vscode.window.showTextDocument(opened);
}
