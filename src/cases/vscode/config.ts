// Typed reader of the case editor's settings (package.json contributes.configuration), so no other
// file spells a setting name.
import * as vscode from 'vscode';
import { knowledgeCutoff } from '../provenanceRules';

export const CASES_LANGUAGE = 'psychohistory-cases';
export const CASES_SECTION = 'psychohistory.cases';

export interface CasesConfig {
  /** Extra glob patterns whose files open as case datasets. */
  globs: string[];
  /** Delay between the last keystroke and re-publishing diagnostics, ms. */
  diagnosticsDelayMs: number;
  /** The knowledge cutoff for `eval-before-cutoff` (setting, else the base model's), YYYY-MM-DD. */
  knowledgeCutoff: string | undefined;
}

export function readCasesConfig(): CasesConfig {
  const c = vscode.workspace.getConfiguration(CASES_SECTION);
  const globs = c.get<unknown>('globs');
  const delay = c.get<unknown>('diagnosticsDelay');
  const cutoff = c.get<unknown>('knowledgeCutoff');
  const baseModel = vscode.workspace.getConfiguration('psychohistory').get<unknown>('baseModel');
  return {
    // A hand-edited settings.json can hold anything: keep only non-empty strings.
    globs: Array.isArray(globs) ? globs.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : [],
    diagnosticsDelayMs: typeof delay === 'number' && Number.isFinite(delay) ? Math.min(Math.max(delay, 0), 5000) : 200,
    knowledgeCutoff: knowledgeCutoff(typeof cutoff === 'string' ? cutoff : '', typeof baseModel === 'string' ? baseModel : ''),
  };
}

export function isCaseDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === CASES_LANGUAGE;
}
