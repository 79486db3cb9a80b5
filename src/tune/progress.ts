import { formatDuration } from '../eval/progress.ts';

/**
 * Where a tuning run stands, as plain data, and its progress line. One line serves the whole
 * run: it names the search (fold k of n, or the final search), counts that search's
 * candidates against its budget, and gives one ETA for everything left, from the share of
 * all searches done (a batch in flight counts by its finished jobs).
 */
export interface TuneProgress {
  /** The search running: 1-based among the searches this process runs, and its budget. */
  search: { label: string; index: number; count: number; budget: number } | null;
  /** Distinct candidates the running search has scored. */
  candidates: number;
  /** The simulation batch in flight: its jobs, how many finished, how many candidates it scores. */
  batch: { jobs: number; done: number; candidates: number };
}

export const NO_PROGRESS: TuneProgress = {
  search: null,
  candidates: 0,
  batch: { jobs: 0, done: 0, candidates: 0 },
};

/** The share of the run done, in [0, 1]. */
export function tuneFraction(p: TuneProgress): number {
  const inBatch = p.batch.jobs > 0 ? (p.batch.done / p.batch.jobs) * p.batch.candidates : 0;
  if (!p.search) return p.batch.jobs > 0 ? p.batch.done / p.batch.jobs : 0;
  const { index, count, budget } = p.search;
  const within = budget > 0 ? Math.min(1, (p.candidates + inBatch) / budget) : 1;
  return Math.min(1, (index - 1 + within) / count);
}

/**
 * The progress line: `fold 2 of 6 (qwen): 37/60 candidates, 24 % of the run, 3m12s
 * elapsed, ETA 10m05s`, at `fraction` of the run (tuneFraction, or a caller's running
 * maximum of it); with `bar`, a bar of that share before it.
 */
export function tuneProgressLine(p: TuneProgress, fraction: number, elapsedS: number, bar = false): string {
  const f = Math.min(1, Math.max(0, fraction));
  const eta = f > 0 ? formatDuration((elapsedS * (1 - f)) / f) : '…';
  const what = p.search
    ? `${p.search.label}: ${Math.min(p.candidates, p.search.budget)}/${p.search.budget} candidates`
    : `${p.batch.done}/${p.batch.jobs} simulations`;
  const width = 20;
  const drawn = bar ? `[${'#'.repeat(Math.round(f * width)).padEnd(width, '-')}] ` : '';
  return `${drawn}${what}, ${Math.floor(f * 100)} % of the run, ${formatDuration(elapsedS)} elapsed, ETA ${eta}`;
}
