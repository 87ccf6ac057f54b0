// `modal deploy <app file>` as an argument vector: the Deploy Modal App command starts the Modal CLI
// directly (a terminal whose process is `modal`, no shell), so a folder or file name with spaces,
// quotes or `;` is one argument, never shell text. Pure, so the CLI and tests can use it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODAL_APP } from './backends/modal';

/** The training app file that defines `modal.App("psychohistory")`, else the conventional name. */
export function findModalAppFile(trainingDir: string, appName = MODAL_APP): string {
  try {
    for (const name of fs
      .readdirSync(trainingDir)
      .filter((n) => n.endsWith('.py'))
      .sort()) {
      const text = fs.readFileSync(path.join(trainingDir, name), 'utf8');
      if (new RegExp(`App\\(\\s*["']${appName}["']`).test(text)) return name;
    }
  } catch {
    // Fall through to the conventional name.
  }
  return 'modal_app.py';
}

/** The `modal` executable: from the workspace's or training/'s virtual environment, else PATH. */
export function resolveModalCli(workspaceRoot: string | undefined, trainingDir: string): string {
  const bin = process.platform === 'win32' ? path.join('Scripts', 'modal.exe') : path.join('bin', 'modal');
  for (const venv of [workspaceRoot && path.join(workspaceRoot, '.venv'), path.join(trainingDir, '.venv')]) {
    if (venv && fs.existsSync(path.join(venv, bin))) return path.join(venv, bin);
  }
  return 'modal';
}

/** What the terminal runs: the fields of vscode.TerminalOptions that start a process without a shell. */
export interface DeployTerminal {
  name: string;
  cwd: string;
  shellPath: string;
  shellArgs: string[];
}

export function deployTerminal(workspaceRoot: string | undefined, trainingDir: string): DeployTerminal {
  return {
    name: 'Modal deploy',
    cwd: trainingDir,
    shellPath: resolveModalCli(workspaceRoot, trainingDir),
    shellArgs: ['deploy', findModalAppFile(trainingDir)],
  };
}
