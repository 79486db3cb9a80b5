/** The knee report's data (knee.ts computes it; the renderers and results.json read it). */
import type { LatencyModelName } from '../latency/types.ts';

/** A measured point's planned load (groundtruth/point-load.ts), for the knee report. */
export interface PointLoadInfo {
  point: string;
  kind: 'rate' | 'concurrency';
  /** Requests/s, or requests in flight. */
  value: number;
  /** Failed / sent requests of the point, where the file counts them. */
  failedFraction?: number;
}

export type Knee =
  | { kind: 'at'; load: number }
  /** No knee up to the highest load. */
  | { kind: 'above'; load: number }
  /** Past the knee already at the lowest load. */
  | { kind: 'atOrBelow'; load: number };

export interface KneePoint {
  point: string;
  load: number;
  /** Mean TTFT (ms; over seeds for a prediction); null where a simulation stopped overloaded. */
  ttftMs: number | null;
  /** The point showed an overload of its own (failed requests, a growing simulated queue). */
  overloaded: boolean;
  past: boolean;
}

export interface KneeSide {
  knee: Knee;
  /** Mean TTFT at the lowest load (ms); null when that point is already past the knee. */
  referenceTtftMs: number | null;
  series: KneePoint[];
}

/** Predicted / measured knee − 1 in %: exact, or a bound where a side is censored. */
export type KneeError =
  | { kind: 'exact'; pct: number }
  | { kind: 'atLeast'; pct: number }
  | { kind: 'atMost'; pct: number }
  /** Both sides censored the same way: no knee in the range, or past it at the lowest load. */
  | { kind: 'agree' };

/** later: the model keeps up to a higher load than the server did (the costly mistake). */
export type KneeDirection = 'later' | 'earlier' | 'same';

export interface KneePrediction {
  latencyModel: LatencyModelName;
  /** roofline-v2 on transferred MFU tables: the measured GPU they came from. */
  tablesFrom?: string;
  /** null: the model produced no usable point (reason says why). */
  side: KneeSide | null;
  reason?: string;
  error: KneeError | null;
  direction: KneeDirection | null;
}

export interface KneeExperiment {
  experiment: string;
  axis: PointLoadInfo['kind'];
  measured: KneeSide;
  predicted: KneePrediction[];
}

export interface KneeModelSummary {
  latencyModel: LatencyModelName;
  /** Experiments with a predicted knee. */
  experiments: number;
  /** Of those, knees found on both sides (an exact error). */
  exact: number;
  /** Mean |error| over the exact ones (%); null when none. */
  meanAbsErrorPct: number | null;
  later: number;
  earlier: number;
  same: number;
}

export interface KneeReport {
  factor: number;
  definition: string;
  experiments: KneeExperiment[];
  models: KneeModelSummary[];
  /** Experiments with one load where no side is past the knee (nothing to locate). */
  skippedSingleLoad: string[];
}
