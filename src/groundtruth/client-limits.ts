/**
 * What an experiment says about its client's limits, as the replay takes them: a
 * `max_concurrency` (the point's, else `workload_config`'s) makes a closed loop, paced by
 * the point's rate when the client had one; and the note reports add to the workload form.
 */
import { type ClientLimit, clientLimitLabel } from '../workload/closed-loop.ts';
import type { Replay } from './experiment.ts';
import type { RawExperiment, RawQpsPoint } from './schema.ts';

/** A staged run's limit (inference-perf's workers × their limit): paced by the stages' rates. */
export function stagedClient(raw: RawExperiment): ClientLimit | undefined {
  const n = raw.workload_config.max_concurrency;
  return typeof n === 'number' ? { maxConcurrency: n, paced: true } : undefined;
}

/**
 * A qps point's limit. Paced when the client had a rate: `requested_rate` a number, or, where
 * the file does not say, a `qps` (a trace's recorded sends, a distribution's rate).
 */
export function pointClient(raw: RawExperiment, p: RawQpsPoint): ClientLimit | undefined {
  const n = p.max_concurrency ?? raw.workload_config.max_concurrency;
  if (typeof n !== 'number') return undefined;
  const paced = p.requested_rate !== undefined ? typeof p.requested_rate === 'number' : p.qps !== undefined;
  return { maxConcurrency: n, paced };
}

/** Drawn arrivals of a Poisson load: reports say they are not the run's own. */
export const DRAWN_POISSON = 'arrivals drawn (Poisson at the stage rates), not the run’s own';

/** The report note of a replay set: drawn arrivals, closed loops (one label, or each distinct one). */
export function replayNote(replays: readonly Replay[], drawn: boolean): string | undefined {
  const loops = [...new Set(replays.flatMap((r) => (r.client ? [clientLimitLabel(r.client)] : [])))];
  const notes = [...(drawn ? [DRAWN_POISSON] : []), ...loops];
  return notes.length > 0 ? notes.join('; ') : undefined;
}
