// The case-file language (package.json contributes.languages) and the test every feature uses.
import type * as vscode from 'vscode';

export const CASES_LANGUAGE = 'psychohistory-cases';

export function isCaseDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === CASES_LANGUAGE;
}
