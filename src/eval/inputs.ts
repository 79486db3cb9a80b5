import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InputVersion } from './types.ts';

/**
 * Content hash of an input file or folder (sorted relative paths and contents), so a
 * report names exactly what it measured. A missing path hashes as "missing".
 */
export function inputVersion(path: string, shownAs = path): InputVersion {
  if (!existsSync(path)) return { path: shownAs, sha256: 'missing' };
  const h = createHash('sha256');
  if (statSync(path).isDirectory()) {
    for (const file of listFiles(path)) {
      h.update(relative(path, file).split('\\').join('/'));
      h.update('\0');
      h.update(readFileSync(file));
      h.update('\0');
    }
  } else {
    h.update(readFileSync(path));
  }
  return { path: shownAs, sha256: h.digest('hex') };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** A short, deterministic id of a run's inputs and options. */
export function runIdOf(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}
