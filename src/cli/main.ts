// Entry of dist/cli.js (bin/psychohistory.js): real streams and files into runCli.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readCaseFile } from '../cases/caseFile';
import { runCli } from './cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(resolve(process.cwd(), path), 'utf8'),
  readBytes: (path) => readCaseFile(resolve(process.cwd(), path)),
  cwd: process.cwd(),
}).then((code) => {
  // Exit as soon as the command is done, once piped output has drained: a Modal long poll still in
  // flight (a queue read waits up to 25 s) must not hold the terminal after the run has ended.
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
});
