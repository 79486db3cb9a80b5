import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The real CLI entry point, as `npx blis-eval` runs it. */
export const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'blis-eval.mjs');
export const REPO = resolve(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** Spawns `node bin/blis-eval.mjs …` (from the repo root unless `cwd` is given). */
export function runCli(args: readonly string[], cwd = REPO): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
  // A null status is a kill, not an exit: say which signal, or the failure reads "expected null to be 2".
  if (r.status === null) throw new Error(`blis-eval ${args.join(' ')}: killed by ${r.signal}\n${r.stderr}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}
