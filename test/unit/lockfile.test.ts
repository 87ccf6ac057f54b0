// `npm ci` installs only from package-lock.json and refuses a lock that lacks any package a locked
// package asks for, optional ones included (cbor-x → cbor-extract → @cbor-extract/* native helpers
// once went missing, and setup fell back to `npm install`). This is the same check, without a network.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const root = path.join(__dirname, '../..');

/** Where Node's resolution finds `name` from the package at `at` (a lock key such as node_modules/a/node_modules/b). */
function resolveIn(packages: Record<string, LockedPackage>, at: string, name: string): string | undefined {
  let dir = at;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut >= 0 ? dir.slice(0, cut) : '';
  }
}

describe('package-lock.json', () => {
  it('locks every dependency, optional ones included, so `npm ci` accepts it', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockedPackage>;
    };
    const missing: string[] = [];
    for (const [at, pkg] of Object.entries(lock.packages)) {
      if (pkg.link) continue;
      for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
        if (!resolveIn(lock.packages, at, name)) missing.push(`${at || '(root)'} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('setup installs with plain `npm ci`, no fallback', () => {
    const setup = fs.readFileSync(path.join(root, 'scripts/setup.sh'), 'utf8');
    expect(setup).toMatch(/npm ci --no-audit --no-fund/);
    expect(setup).not.toMatch(/\|\|\s*npm install/);
  });
});
