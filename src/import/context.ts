import type { ImportFlags } from './types.ts';

/** What every format parser gets besides its files. */
export interface ImportContext {
  flags: ImportFlags;
  /** Folder (relative to the ground-truth file) where traces are written. */
  traceDir: string;
}

/** The experiment name: `--name` (suffixed when one path gives several), else the default. */
export function experimentName(ctx: ImportContext, fallback: string, count: number, index: number): string {
  const base = ctx.flags.name;
  if (base === undefined) return fallback;
  return count === 1 ? base : `${base}-${index + 1}`;
}
