import type { GpuSpec } from '../config/hardware-config.ts';
import type { Experiment, Metric } from '../groundtruth/experiment.ts';
import type { ObjectiveSpec } from './objective-types.ts';
import type { Candidate, ParamSpec } from './space.ts';

/** Everything the tuning reports show; the renderers are pure functions of it. */
export interface TuneOutcome {
  /** The GPU tuned; with --hardware all, the first experiment's (where the start was read). */
  gpu: GpuSpec;
  /** What the fit is for: the GPU's key, or ALL_GPUS_SCOPE. */
  scope: string;
  experiments: Experiment[];
  /** Experiments of the scope left out by default, and why (`--exclude`d ones are not listed). */
  leftOut: { name: string; why: string }[];
  start: { values: Candidate; from: string };
  /** The fields searched (the given ones, or the default space). */
  params: ParamSpec[];
  /** How experiments and metrics combined into the objective. */
  objective: ObjectiveSpec;
  /** Absent for a shard, which only evaluates its slice. */
  result?: TuneResult;
  evaluated: number;
}

/** What one search found (search.ts), as the reports show it. */
export interface SearchResult {
  /** What ran, for the report. */
  method: string;
  best: Candidate;
  bestScore: number;
  evaluations: number;
  /** Best objective after each batch, for the convergence chart. */
  trace: { evaluations: number; best: number }[];
  /** Fields whose fitted value lies on a bound of its (possibly widened) range. */
  onBound?: { name: string; bound: 'lo' | 'hi'; value: number }[];
  /** Racing (see race.ts): candidates screened on part of the experiments, and stopped there. */
  race?: { screened: number; stopped: number };
  /** Fields whose range the search widened towards its physical limit, with the range used. */
  widened?: { name: string; lo: number; hi: number }[];
  /**
   * After a partial-replay search, on full replays (see polish.ts): the candidates scored, the
   * start's and the search winner's objective, and the objective of what was kept.
   */
  polish?: { evaluations: number; start: number; from: number; to: number };
}

/** A configuration's error on a set of experiments. */
export interface ErrorSummary {
  objective: number;
  mape: Partial<Record<Metric, number>>;
  ok: number;
  failed: number;
}

export interface FoldReport {
  name: string;
  train: string[];
  test: string[];
  search: SearchResult;
  fitted: ErrorSummary;
  leftOut: ErrorSummary;
  currentTrain: ErrorSummary;
  currentLeftOut: ErrorSummary;
}

export interface TuneResult {
  folds: FoldReport[];
  /** Pooled over folds: every experiment scored once, by the fold that left it out. */
  cv: { fitted: ErrorSummary; leftOut: ErrorSummary; current: ErrorSummary } | null;
  final: { search: SearchResult; fitted: ErrorSummary; current: ErrorSummary };
  write: boolean;
  why: string;
}

/** +1 when the fitted error is lower than the current one by more than 0.05 points, −1 when higher, else 0. */
export function foldVote(current: number, fitted: number): number {
  if (!Number.isFinite(current) || !Number.isFinite(fitted))
    return Number.isFinite(fitted) ? 1 : Number.isFinite(current) ? -1 : 0;
  return fitted < current - 0.05 ? 1 : fitted > current + 0.05 ? -1 : 0;
}
