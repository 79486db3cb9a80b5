import type { Format, ImportFlags } from './types.ts';

/** What every format parser gets besides its files. */
export interface ImportContext {
  flags: ImportFlags;
  /** Folder (relative to the ground-truth file) where traces are written. */
  traceDir: string;
  /** Names given so far in this import (default names are made unique against them). */
  taken?: Set<string>;
}

/** The load of one measured run, as a name states it. */
export interface LoadOfRun {
  rate: number | 'inf' | null;
  maxConcurrency?: number | null | undefined;
  /** Requests sent: the load of a burst (rate inf, no limit). */
  requests?: number | undefined;
}

/**
 * The load part of a name: `c=2`, `rate=4`, `c=2 rate=4`, a burst's size (`rate=inf n=10`),
 * and for several runs the values listed (`rate=1,2,4,inf`, `c=1,2,4`), each distinct once.
 */
export function loadLabel(runs: readonly LoadOfRun[], prefix = ''): string {
  const c = distinct(runs.map((r) => r.maxConcurrency ?? null));
  const rates = distinct(runs.map((r) => r.rate));
  const parts = [prefix];
  if (c.some((x) => x !== null)) parts.push(`c=${c.map((x) => x ?? '-').join(',')}`);
  if (rates.some((x) => x !== null) && !(c.some((x) => x !== null) && rates.every((r) => r === 'inf')))
    parts.push(`rate=${rates.map((x) => x ?? '-').join(',')}`);
  const n = distinct(runs.map((r) => r.requests));
  if (
    rates.length === 1 &&
    rates[0] === 'inf' &&
    c.every((x) => x === null) &&
    n.every((x) => x !== undefined)
  )
    parts.push(`n=${n.join(',')}`);
  return parts.filter(Boolean).join(' ');
}

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * The experiment name: `--name` (suffixed -1, -2, … when one path gives several), else one
 * from the file's content, "<model> <client> <load>" ("Llama-3.1-8B-Instruct vllm-bench
 * c=2"), made unique within the import by the source's `stem` (its file or folder).
 */
export function experimentName(
  ctx: ImportContext,
  content: { model: string | null | undefined; client: Format; load: string },
  stem: string,
  count: number,
  index: number,
): string {
  const base = ctx.flags.name;
  if (base !== undefined) return count === 1 ? base : `${base}-${index + 1}`;
  const model = (ctx.flags.model ?? content.model ?? 'unknown-model').split('/').at(-1);
  const name = [model, content.client, content.load].filter(Boolean).join(' ');
  const taken = ctx.taken ?? new Set<string>();
  let unique = taken.has(name) ? `${name} (${stem})` : name;
  for (let k = 2; taken.has(unique); k++) unique = `${name} (${stem}) ${k}`;
  taken.add(unique);
  ctx.taken = taken;
  return unique;
}
