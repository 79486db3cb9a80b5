import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readBundle } from '../../src/commands/import-files.ts';
import type { ImportContext } from '../../src/import/context.ts';
import { importBundle } from '../../src/import/index.ts';
import type { Format, ImportFlags } from '../../src/import/types.ts';
import { SHARED } from '../support/shared.ts';

export const SAMPLES = join(SHARED, 'data', 'import_samples');

export function ctxOf(flags: Partial<ImportFlags> = {}): ImportContext {
  return { flags: { summaryOnly: false, ...flags }, traceDir: 'gt.traces' };
}

/** Imports a path as the command does (files read from disk). */
export function importPath(path: string, flags: Partial<ImportFlags> = {}, format: Format | 'auto' = 'auto') {
  return importBundle(readBundle(path), format, ctxOf(flags));
}

/** A folder of files (relative path → text or JSON), for synthetic runs. */
export function folder(files: Record<string, unknown>, name = 'run'): string {
  const root = join(mkdtempSync(join(tmpdir(), 'import-')), name);
  for (const [rel, v] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return root;
}

/**
 * A copy of a sample folder or file with some of its files edited (path relative to the
 * copy, '.' for a copied file → new text from old).
 */
export function copySample(rel: string, edits: Record<string, (text: string) => string>): string {
  const root = join(mkdtempSync(join(tmpdir(), 'import-')), rel.split('/').at(-1)!);
  cpSync(join(SAMPLES, rel), root, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const p = join(root, file);
    chmodSync(p, 0o644);
    writeFileSync(p, edit(readFileSync(p, 'utf8')));
  }
  return root;
}

/** Every numeric leaf of `expected` is in `actual` within `tol` (relative, or absolute below 1). */
export function numericMismatches(actual: unknown, expected: unknown, tol = 1e-6, path = ''): string[] {
  if (typeof expected === 'number') {
    return typeof actual === 'number' && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected))
      ? []
      : [`${path}: ${String(actual)} != ${expected}`];
  }
  if (expected !== null && typeof expected === 'object') {
    return Object.entries(expected).flatMap(([k, v]) =>
      numericMismatches((actual as Record<string, unknown> | undefined)?.[k], v, tol, `${path}.${k}`),
    );
  }
  return [];
}
