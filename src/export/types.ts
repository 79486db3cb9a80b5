import type { StatusCounts } from '../eval/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';

/** What an export says besides its file: the parts of our model that did not go into it. */

/** One field's value and the GPUs (or rows) that hold it. */
export interface ValueGroup {
  readonly value: string;
  readonly where: readonly string[];
}

/** A field BLIS cannot represent: left out, so BLIS computes without it. */
export interface LostField {
  readonly field: string;
  readonly meaning: string;
  readonly values: readonly ValueGroup[];
}

/** A field the file cannot hold but a BLIS flag can: `values` are the flags to pass. */
export interface CarriedField {
  readonly field: string;
  readonly values: readonly ValueGroup[];
}

export interface ExportNotes {
  readonly lost: readonly LostField[];
  readonly carried: readonly CarriedField[];
  /** Other things a user must know to get the same model in BLIS (one line each). */
  readonly notes: readonly string[];
}

/**
 * What BLIS computes from the export, as a hardware config of ours (JSON) for the evaluator to
 * measure. Null: the export carries the whole model, so it computes what the full model does.
 */
export interface SubsetInputs {
  readonly hardwareConfig: string;
}

export interface ExportResult extends ExportNotes {
  /** The exported file's text. */
  readonly text: string;
  readonly subset: SubsetInputs | null;
}

/** The figures an export reports for the full model and the exported subset. */
export const ACCURACY_METRICS: readonly Metric[] = ['e2e_mean', 'ttft_mean', 'itl_mean'];

export interface ModelAccuracy {
  readonly counts: StatusCounts;
  readonly metrics: readonly { readonly metric: Metric; readonly n: number; readonly mape: number }[];
}

export interface SubsetAccuracy {
  readonly groundTruth: string;
  readonly latencyModel: LatencyModelName;
  readonly full: ModelAccuracy;
  /** Null: the export carries the whole model, so it computes what the full model does. */
  readonly exported: ModelAccuracy | null;
  /** False when a stop signal cut a run short. */
  readonly complete: boolean;
}

/** Groups (key, value) pairs by value, keys in first-seen order. */
export function groupByValue(pairs: readonly (readonly [string, string])[]): ValueGroup[] {
  const groups = new Map<string, string[]>();
  for (const [where, value] of pairs) {
    const list = groups.get(value) ?? [];
    list.push(where);
    groups.set(value, list);
  }
  return [...groups].map(([value, where]) => ({ value, where }));
}
