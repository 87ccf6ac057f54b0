// Entry of dist/cli.js (bin/psychohistory.js): real streams and files into runCli.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runCli } from './cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(resolve(process.cwd(), path), 'utf8'),
  cwd: process.cwd(),
}).then((code) => {
  // exitCode, not exit(): let piped stdout drain.
  process.exitCode = code;
});
