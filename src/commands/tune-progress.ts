import type { StatusLine } from '../eval/progress.ts';
import { NO_PROGRESS, type TuneProgress, tuneFraction, tuneProgressLine } from '../tune/progress.ts';
import type { TuneHooks } from '../tune/session.ts';

/**
 * One progress line for a whole tuning run, fed by the session's hooks: the search (fold k of
 * n), its candidates against its budget, and one ETA for the run. The share of the run shown
 * never goes back (a raced candidate runs a screening batch, then a full one).
 */
export function tuneProgress(
  line: StatusLine,
  now: () => number = Date.now,
): Required<Pick<TuneHooks, 'onSearch' | 'onBatch' | 'onJobDone' | 'onCandidates'>> & { end: () => void } {
  const started = now();
  let p: TuneProgress = NO_PROGRESS;
  let shown = 0;
  const draw = () => {
    shown = Math.max(shown, tuneFraction(p));
    line.show((tty) => tuneProgressLine(p, shown, (now() - started) / 1000, tty));
  };
  const noBatch = NO_PROGRESS.batch;
  return {
    onSearch: (search) => {
      p = { search, candidates: 0, batch: noBatch };
      draw();
    },
    onBatch: (jobs, candidates) => {
      p = { ...p, batch: { jobs, done: 0, candidates } };
      draw();
    },
    onJobDone: () => {
      p = { ...p, batch: { ...p.batch, done: p.batch.done + 1 } };
      draw();
    },
    onCandidates: (candidates) => {
      p = { ...p, candidates, batch: noBatch };
      draw();
    },
    end: () => line.end(),
  };
}
