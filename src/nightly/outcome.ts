import type { Metric } from '../groundtruth/experiment.ts';
import type { Comparison } from './compare.ts';
import type { HistoryRead } from './history.ts';
import type { HistoryRecord } from './schema.ts';

export interface Baseline {
  record: HistoryRecord;
  /** Where it came from: the previous history record, or a results.json given by the user. */
  source: 'history' | 'file';
  path?: string;
  /** History records after the baseline that failed the gate (so are not baselines). */
  skipped?: number;
}

/** Everything the nightly reports show; the renderers are pure functions of it. */
export interface NightlyOutcome {
  record: HistoryRecord;
  /** The whole history after this run, oldest first, tonight's record last. */
  history: HistoryRecord[];
  baseline: Baseline | null;
  comparison: Comparison | null;
  /** The gated and shown metrics (--metrics). */
  metrics: Metric[];
  /** The full evaluator report, relative to the nightly folder. */
  evalDir: string;
  /** Set when the previous history file was corrupted and moved aside. */
  corruption?: NonNullable<HistoryRead['corruption']>;
}
