import type { Metric } from '../groundtruth/experiment.ts';

/** What the tuning objective is, as the reports quote it (objective.ts computes it). */

/** A failed simulation scores this APE on every metric: worse than any fit, but finite. */
export const FAILURE_APE = 1000;

/**
 * How experiments' errors combine: `mean` of the experiments' objectives, or `rmse` (their
 * root mean square, BLIS's loss, which weighs the worst experiments more); `weights` weigh
 * the metrics within an experiment (absent: 1).
 */
export interface ObjectiveSpec {
  agg: 'mean' | 'rmse';
  weights: Partial<Record<Metric, number>>;
}
