// "Edit Line as Formatted JSON": the case line opens pretty-printed in a side editor backed by a
// small in-memory FileSystemProvider, so the editor is a real file with JSON language support and
// Save writes it back. The write-back replaces exactly the original line with a WorkspaceEdit
// (undo in the case file reverts it) and refuses invalid JSON with the reason, leaving the case
// file untouched. The case file is not saved: that stays the user's decision.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../shell/context';
import { compactForWriteBack, formatForEditing, locateLine } from '../editing/formattedLine';

export const LINE_SCHEME = 'psychohistory-line';

interface Session {
  target: vscode.Uri;
  line: number;
  /** The case line's text as last read or written, to find it again if lines moved. */
  original: string;
  content: Uint8Array;
  mtime: number;
}

export class LineEditorFileSystem implements vscode.FileSystemProvider {
  private readonly sessions = new Map<string, Session>();
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  private nextId = 1;

  /** Start editing `line` of `doc`; returns the URI of the side document. */
  open(doc: vscode.TextDocument, line: number): vscode.Uri {
    const text = doc.lineAt(line).text;
    const { text: formatted } = formatForEditing(text);
    const name = `${path.basename(doc.uri.path)}.line-${String(line + 1)}.json`;
    const uri = vscode.Uri.from({ scheme: LINE_SCHEME, path: `/${name}`, query: `s=${String(this.nextId++)}` });
    this.sessions.set(uri.toString(), {
      target: doc.uri,
      line,
      original: text,
      content: new TextEncoder().encode(formatted),
      mtime: Date.now(),
    });
    return uri;
  }

  has(uri: vscode.Uri): boolean {
    return this.sessions.has(uri.toString());
  }

  close(uri: vscode.Uri): void {
    this.sessions.delete(uri.toString());
  }

  private session(uri: vscode.Uri): Session {
    const s = this.sessions.get(uri.toString());
    if (!s) throw vscode.FileSystemError.FileNotFound(uri);
    return s;
  }

  /** Write `edited` back into the case file as one line; throws with a user-facing reason. */
  async writeBack(uri: vscode.Uri, edited: string): Promise<void> {
    const s = this.session(uri);
    const result = compactForWriteBack(edited, s.original);
    if (!result.ok) throw new Error(result.message);
    const doc = await vscode.workspace.openTextDocument(s.target);
    const line = locateLine({ lineCount: doc.lineCount, lineText: (i) => doc.lineAt(i).text }, s.line, s.original);
    if (line === undefined) {
      throw new Error(
        `Line ${String(s.line + 1)} of ${path.basename(s.target.path)} changed since it was opened for editing; nothing was written back. Open it again with "Edit Line as Formatted JSON".`,
      );
    }
    if (doc.lineAt(line).text !== result.line) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, doc.lineAt(line).range, result.line);
      if (!(await vscode.workspace.applyEdit(edit)))
        throw new Error(`VS Code refused the edit of ${path.basename(s.target.path)}.`);
    }
    s.line = line;
    s.original = result.line;
  }

  // FileSystemProvider: a flat in-memory folder of the open line sessions.
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const s = this.session(uri);
    return { type: vscode.FileType.File, ctime: s.mtime, mtime: s.mtime, size: s.content.byteLength };
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Line editors hold single files only.');
  }

  readFile(uri: vscode.Uri): Uint8Array {
    return this.session(uri).content;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const s = this.session(uri);
    // Save = write back; a refusal surfaces as VS Code's "Failed to save" with our reason.
    await this.writeBack(uri, new TextDecoder().decode(content));
    s.content = content;
    s.mtime = Date.now();
    this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  delete(uri: vscode.Uri): void {
    this.close(uri);
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Line editors cannot be renamed.');
  }

  dispose(): void {
    this.sessions.clear();
    this.changes.dispose();
  }
}

export function registerLineEditor(ctx: Ctx): { fs: LineEditorFileSystem; disposables: vscode.Disposable[] } {
  const fs = new LineEditorFileSystem();
  const disposables: vscode.Disposable[] = [
    fs,
    vscode.workspace.registerFileSystemProvider(LINE_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === LINE_SCHEME) fs.close(doc.uri);
    }),
  ];
  ctx.log.info('line editor ready');
  return { fs, disposables };
}

/** Command: open a case line pretty-printed beside its file (args from the code action, else the cursor). */
export async function editLineAsJson(fs: LineEditorFileSystem, uriArg?: unknown, lineArg?: unknown): Promise<void> {
  let doc: vscode.TextDocument | undefined;
  let line: number | undefined;
  if (uriArg instanceof vscode.Uri && typeof lineArg === 'number') {
    doc = await vscode.workspace.openTextDocument(uriArg);
    line = lineArg;
  } else {
    const editor = vscode.window.activeTextEditor;
    doc = editor?.document;
    line = editor?.selection.active.line;
  }
  if (!doc || line === undefined) throw new Error('Put the cursor on a case line first.');
  if (doc.uri.scheme === LINE_SCHEME) throw new Error('This is already a line editor: save it to write the case back.');
  if (line < 0 || line >= doc.lineCount)
    throw new Error(`Line ${String(line + 1)} does not exist in ${path.basename(doc.uri.path)}.`);
  if (doc.lineAt(line).text.trim() === '')
    throw new Error(`Line ${String(line + 1)} is blank: there is nothing to edit.`);
  const uri = fs.open(doc, line);
  await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}

/** Command: write the active line editor back (same as saving it). */
export async function writeBackLine(fs: LineEditorFileSystem): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== LINE_SCHEME || !fs.has(doc.uri)) {
    throw new Error('Run this from a line opened with "Edit Line as Formatted JSON".');
  }
  if (doc.isDirty) {
    // Saving goes through writeFile, which writes back (or fails with the reason).
    if (!(await doc.save())) throw new Error('The line was not written back (see the save error).');
  } else {
    await fs.writeBack(doc.uri, doc.getText());
  }
  void vscode.window.showInformationMessage('Case line written back.');
}
