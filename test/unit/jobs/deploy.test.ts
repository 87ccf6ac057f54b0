// Deploy Modal App runs `modal deploy <file>` as an argument vector: names with spaces or shell
// syntax reach the Modal CLI as one argument, and nothing is typed into a shell.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deployTerminal, findModalAppFile } from '../../../src/jobs/deploy';
import { tempDir } from './builders';

const HOSTILE = 'app; touch pwned $(touch pwned2) "q".py';

function trainingDir(): { root: string; training: string } {
  const root = tempDir('ph deploy $HOME; ');
  const training = path.join(root, 'train ing');
  fs.mkdirSync(training);
  fs.writeFileSync(path.join(training, 'helpers.py'), 'x = 1\n');
  fs.writeFileSync(path.join(training, HOSTILE), 'import modal\napp = modal.App("psychohistory")\n');
  return { root, training };
}

describe('Deploy Modal App', () => {
  it('finds the file that defines the app, else modal_app.py', () => {
    const { training } = trainingDir();
    expect(findModalAppFile(training)).toBe(HOSTILE);
    expect(findModalAppFile(path.join(training, 'missing'))).toBe('modal_app.py');
  });

  it('starts the modal CLI with argv, no shell: a hostile file name arrives as one argument', () => {
    const { root, training } = trainingDir();
    // A stand-in `modal` in the workspace's venv that prints the arguments it got.
    fs.mkdirSync(path.join(root, '.venv', 'bin'), { recursive: true });
    const fake = path.join(root, '.venv', 'bin', 'modal');
    fs.writeFileSync(fake, `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`);
    fs.chmodSync(fake, 0o755);
    const terminal = deployTerminal(root, training);
    expect(terminal).toEqual({ name: 'Modal deploy', cwd: training, shellPath: fake, shellArgs: ['deploy', HOSTILE] });
    // What VS Code does with shellPath/shellArgs: execute the file with these arguments.
    const out = execFileSync(terminal.shellPath, terminal.shellArgs, { cwd: terminal.cwd, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['deploy', HOSTILE]);
    expect(fs.existsSync(path.join(training, 'pwned'))).toBe(false);
    expect(fs.existsSync(path.join(training, 'pwned2'))).toBe(false);
  });

  it('without a venv, runs `modal` from PATH', () => {
    const { root, training } = trainingDir();
    expect(deployTerminal(root, training).shellPath).toBe('modal');
  });

  it('the command does not type text into a shell (Deploy Modal App and Deploy Forecast Service share the terminal)', () => {
    const source = fs.readFileSync(path.join(__dirname, '../../../src/jobs/vscode/deployModal.ts'), 'utf8');
    expect(source).not.toMatch(/sendText\(/);
    expect(source).toMatch(/deployTerminal\(/);
    for (const caller of ['../../../src/jobs/vscode/register.ts', '../../../src/forecast/vscode/register.ts']) {
      const text = fs.readFileSync(path.join(__dirname, caller), 'utf8');
      expect(text).not.toMatch(/sendText\(/);
      expect(text).toMatch(/openModalDeployTerminal\(/);
    }
  });
});
