// One incremental CaseDocument per open case file, kept in step with the editor from the content
// changes of onDidChangeTextDocument (never re-created from the full text on a keystroke), and the
// diagnostics published from it, debounced. Everything here runs in the extension host, so each
// event handler catches and logs: a bad byte in a case file must never take the host down.
import * as vscode from 'vscode';
import { CaseDocument } from '../caseDocument';
import { cutoffDiagnostics } from '../provenanceRules';
import type { CaseDiagnostic } from '../types';
import { affectsSetting, readCasesConfig } from '../../config/vscode/config';
import { SETTINGS } from '../../config/settings';
import { isCaseDocument } from './language';

export const DIAGNOSTIC_SOURCE = 'psychohistory';

interface Entry {
  model: CaseDocument;
  version: number;
  timer?: ReturnType<typeof setTimeout>;
}

const SEVERITY: Record<CaseDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostic(d: CaseDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
  const out = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  out.code = d.code;
  out.source = DIAGNOSTIC_SOURCE;
  return out;
}

export class CaseModels implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly collection = vscode.languages.createDiagnosticCollection('psychohistory-cases');
  private readonly published = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [this.collection, this.published];
  /** Fires after a document's diagnostics were published (the status bar listens). */
  readonly onDidPublish = this.published.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.guard('open', () => this.opened(doc))),
      vscode.workspace.onDidChangeTextDocument((e) => this.guard('change', () => this.changed(e))),
      vscode.workspace.onDidCloseTextDocument((doc) => this.guard('close', () => this.drop(doc.uri))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The knowledge cutoff follows its setting and the base model's: re-judge the open files.
        if (!affectsSetting(e, SETTINGS.casesKnowledgeCutoff, SETTINGS.baseModel)) return;
        for (const doc of vscode.workspace.textDocuments)
          if (this.entries.has(doc.uri.toString())) this.guard('publish', () => this.publish(doc));
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.guard('open', () => this.opened(doc));
  }

  /** The up-to-date model of a case document (built on demand, rebuilt if an event was missed). */
  get(doc: vscode.TextDocument): CaseDocument {
    const key = doc.uri.toString();
    const entry = this.entries.get(key);
    if (entry && entry.version === doc.version && entry.model.lineCount === doc.lineCount) return entry.model;
    if (entry) clearTimeout(entry.timer);
    const model = new CaseDocument(doc.getText());
    this.entries.set(key, { model, version: doc.version });
    return model;
  }

  private opened(doc: vscode.TextDocument): void {
    if (!isCaseDocument(doc)) {
      // A language switch away from cases arrives as close + open: make sure nothing stays behind.
      this.drop(doc.uri);
      return;
    }
    this.get(doc);
    this.publish(doc);
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    if (!isCaseDocument(doc) || e.contentChanges.length === 0) return;
    const entry = this.entries.get(doc.uri.toString());
    if (!entry || entry.version === doc.version) {
      // No model yet, or it was already rebuilt from this version's full text: nothing to apply.
      this.get(doc);
    } else {
      try {
        // Changes of one event apply in order, each against the text the previous one left.
        for (const change of e.contentChanges) {
          const r = change.range;
          entry.model.applyChange(
            {
              start: { line: r.start.line, character: r.start.character },
              end: { line: r.end.line, character: r.end.character },
            },
            change.text,
          );
        }
        entry.version = doc.version;
        // Cheap drift check (a missed event would corrupt every later diagnostic): line count, and
        // the lines the last change touched.
        const last = e.contentChanges[e.contentChanges.length - 1];
        const firstLine = last ? last.range.start.line : 0;
        const lastLine = Math.min(firstLine + (last ? last.text.split('\n').length - 1 : 0), doc.lineCount - 1);
        let drifted = entry.model.lineCount !== doc.lineCount;
        for (let l = firstLine; !drifted && l <= lastLine; l++)
          drifted = entry.model.lineText(l) !== doc.lineAt(l).text;
        if (drifted) {
          this.log.warn(`case model of ${doc.uri.fsPath} drifted from the editor; rebuilding`);
          entry.version = -1;
          this.get(doc);
        }
      } catch (err) {
        this.log.error(`incremental update of ${doc.uri.toString()} failed, rebuilding: ${String(err)}`);
        entry.version = -1;
        this.get(doc);
      }
    }
    this.schedule(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    const entry = this.entries.get(doc.uri.toString());
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(
      () => this.guard('publish', () => this.publish(doc)),
      readCasesConfig().diagnosticsDelayMs,
    );
  }

  private publish(doc: vscode.TextDocument): void {
    if (doc.isClosed || !isCaseDocument(doc)) return;
    const model = this.get(doc);
    const cutoff = cutoffDiagnostics(model, readCasesConfig().knowledgeCutoff);
    this.collection.set(doc.uri, [...model.diagnostics(), ...cutoff].map(toVscodeDiagnostic));
    this.published.fire(doc.uri);
  }

  private drop(uri: vscode.Uri): void {
    const key = uri.toString();
    const entry = this.entries.get(key);
    if (entry) clearTimeout(entry.timer);
    this.entries.delete(key);
    this.collection.delete(uri);
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(`case diagnostics (${what}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  dispose(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
    for (const d of this.disposables) d.dispose();
  }
}
