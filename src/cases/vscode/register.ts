// The case editor feature: everything the user touches in a case file. One register function,
// called once from activate(); it returns every disposable it creates.
import * as vscode from 'vscode';
import { registerCommandTable } from '../../shell/context';
import type { Ctx } from '../../shell/context';
import { CASE_COMMANDS } from '../commands';
import { CaseCodeActionProvider } from './codeActions';
import { CASES_LANGUAGE } from './language';
import { registerCaseGlobs, treatAsCaseDataset } from './globs';
import { CaseCompletionProvider, CaseHoverProvider, CaseSymbolProvider } from './languageFeatures';
import { editLineAsJson, registerLineEditor, writeBackLine } from './lineEditor';
import { registerCaseStatusBar } from './statusBar';

export function registerCases(ctx: Ctx): vscode.Disposable[] {
  const selector: vscode.DocumentSelector = { language: CASES_LANGUAGE };
  const models = ctx.caseModels;
  const lineEditor = registerLineEditor(ctx);
  return [
    ...lineEditor.disposables,
    ...registerCaseGlobs(ctx),
    ...registerCaseStatusBar(ctx, models),
    vscode.languages.registerCodeActionsProvider(selector, new CaseCodeActionProvider(), {
      providedCodeActionKinds: CaseCodeActionProvider.kinds,
    }),
    vscode.languages.registerHoverProvider(selector, new CaseHoverProvider()),
    vscode.languages.registerCompletionItemProvider(
      selector,
      new CaseCompletionProvider(),
      ...CaseCompletionProvider.triggerCharacters,
    ),
    vscode.languages.registerDocumentSymbolProvider(selector, new CaseSymbolProvider(models), { label: 'Cases' }),
    ...registerCommandTable(ctx, {
      [CASE_COMMANDS.treatAsCaseDataset]: (uri?: unknown) => treatAsCaseDataset(uri),
      [CASE_COMMANDS.editLineAsJson]: (uri?: unknown, line?: unknown) => editLineAsJson(lineEditor.fs, uri, line),
      [CASE_COMMANDS.writeBackLine]: () => writeBackLine(lineEditor.fs),
    }),
  ];
}
