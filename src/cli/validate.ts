// `psychohistory validate FILE... [--format text|json]`: the editor's diagnostics, for CI.
// Exit 0 without errors (warnings allowed), 1 with errors, 2 on usage or I/O errors.
import { CaseDocument } from '../cases/caseDocument';
import { checkCaseBytes } from '../cases/caseFile';
import { cutoffDiagnostics, knowledgeCutoff } from '../cases/provenanceRules';
import type { Severity } from '../cases/types';
import { formatOption, parseOptions, plural } from './format';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './types';
import type { CliCommand, CliIo } from './types';

/** One finding as printed by --format json: 1-based lines and columns, end column exclusive. */
export interface CliDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

export async function validateFiles(
  files: string[],
  io: CliIo,
  cutoff?: string,
): Promise<{ findings: CliDiagnostic[]; ioErrors: string[] }> {
  const findings: CliDiagnostic[] = [];
  const ioErrors: string[] = [];
  for (const file of files) {
    let diagnostics;
    try {
      // From bytes when the host can: invalid UTF-8 is an error at its line and column (as in the Python loader),
      // not a U+FFFD that a tokenizer meets after the model has loaded.
      diagnostics = io.readBytes
        ? checkCaseBytes(await io.readBytes(file))
        : new CaseDocument(await io.readFile(file)).diagnostics();
      if (cutoff) {
        // The cutoff rule needs the valid cases: only asked for, so plain validation reads each file once.
        const doc = new CaseDocument(
          io.readBytes ? new TextDecoder().decode(await io.readBytes(file)) : await io.readFile(file),
        );
        diagnostics = [...diagnostics, ...cutoffDiagnostics(doc, cutoff)].sort(
          (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
        );
      }
    } catch (err) {
      ioErrors.push(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    for (const d of diagnostics) {
      findings.push({
        file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: d.severity,
        code: d.code,
        message: d.message,
      });
    }
  }
  return { findings, ioErrors };
}

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check case files (JSONL) against contract 1 and the forecasting rules',
  usage: [
    'usage: psychohistory validate FILE... [--format text|json] [--knowledge-cutoff YYYY-MM[-DD] | --base-model M]',
    '',
    '  --knowledge-cutoff D  warn (eval-before-cutoff) on eval cases dated on or before D: they measure recall',
    "  --base-model M        the same with M's cutoff from schemas/knowledge-cutoffs.json (openai/gpt-oss-20b: 2024-06-30)",
    '  --format text   file:line:col: severity code: message, then a summary (default)',
    '  --format json   one JSON array of {file, line, column, endLine, endColumn, severity, code, message}',
    '                  (1-based lines and columns, end column exclusive)',
    '',
    'exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error',
  ].join('\n'),
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(args, {
      format: { type: 'string' },
      'knowledge-cutoff': { type: 'string' },
      'base-model': { type: 'string' },
    });
    const format = formatOption(values.format);
    if (positionals.length === 0) throw new UsageError('validate needs at least one FILE');
    let cutoff: string | undefined;
    const cutoffText = values['knowledge-cutoff'];
    const baseModel = values['base-model'];
    if (typeof cutoffText === 'string') {
      cutoff = knowledgeCutoff(cutoffText, '');
      if (!cutoff)
        throw new UsageError(
          `--knowledge-cutoff ${JSON.stringify(cutoffText)} is not a date: use YYYY-MM or YYYY-MM-DD`,
        );
    } else if (typeof baseModel === 'string') {
      cutoff = knowledgeCutoff('', baseModel);
      if (!cutoff)
        throw new UsageError(
          `no knowledge cutoff known for ${baseModel} (schemas/knowledge-cutoffs.json): pass --knowledge-cutoff YYYY-MM-DD`,
        );
    }
    const { findings, ioErrors } = await validateFiles(positionals, io, cutoff);
    for (const e of ioErrors) io.stderr(`${e}\n`);
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (format === 'json') {
      io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
    } else {
      for (const f of findings) io.stdout(`${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code}: ${f.message}\n`);
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      const checked = positionals.length - ioErrors.length;
      io.stdout(`${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(checked, 'file')}\n`);
    }
    if (ioErrors.length > 0) return EXIT_USAGE;
    return errors > 0 ? EXIT_FINDINGS : EXIT_OK;
  },
};
