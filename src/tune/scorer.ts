import type { Calibration } from '../config/latency-factory.ts';
import { AbortedError } from '../errors.ts';
import { runEvalJobs } from '../eval/evaluate.ts';
import type { EvalJob, JobPaths } from '../eval/job-types.ts';
import { planJobs } from '../eval/plan.ts';
import type { Workers } from '../eval/pool.ts';
import type { PointResult } from '../eval/types.ts';
import type { Experiment, Metric } from '../groundtruth/experiment.ts';
import { TP_ALPHA_NAMES, TP_BETA_NAMES } from '../latency/trained-physics.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { KvLeakMode } from '../sim/kv-cache.ts';
import { type ExperimentScore, experimentScore } from './objective.ts';
import { type BatchScorer, candidateKey } from './search.ts';
import type { Candidate, ParamSpec } from './space.ts';

/** One memoised evaluation, as the checkpoint stores it (one JSON line each). */
export interface EvalRecord {
  candidate: string;
  experiment: string;
  score: ExperimentScore;
}

export const CURRENT = 'current';

export interface ScorerSetup {
  experiments: readonly Experiment[];
  latencyModel: LatencyModelName;
  section: ParamSpec['section'];
  /** Values of the fields not searched (blackbox needs all six coefficients). */
  fixed: Candidate;
  metrics: readonly Metric[];
  paths: JobPaths;
  kvLeak: KvLeakMode;
  workers: Workers;
  timeoutS: number;
  signal: AbortSignal;
  /**
   * A candidate that runs the very model of the current configuration (the start, where every
   * searched field holds the file's value on every GPU): it shares the current values' memo
   * entries, so it is not simulated twice.
   */
  current?: Candidate;
  /** Memo keyed by `${candidate}\0${experiment}`, filled from checkpoints on resume. */
  memo: Map<string, ExperimentScore>;
  onRecord: (r: EvalRecord) => void;
  /** A batch starts: its jobs and the distinct candidates it scores. */
  onBatch?: (jobs: number, candidates: number) => void;
  onJobDone?: () => void;
}

export function memoKey(candidate: string, experiment: string): string {
  return `${candidate}\u0000${experiment}`;
}

export function calibrationOf(section: ParamSpec['section'], c: Candidate): Calibration {
  const v = (k: string) => c[k] ?? 0;
  if (section === 'trainedPhysics') {
    return { trainedPhysics: { beta: TP_BETA_NAMES.map(v), alpha: TP_ALPHA_NAMES.map(v) } };
  }
  if (section !== 'blackbox') return { [section]: c };
  return {
    blackbox: { alpha: [v('alpha0'), v('alpha1'), v('alpha2')], beta: [v('beta0'), v('beta1'), v('beta2')] },
  };
}

/**
 * The tuner's evaluator: every (candidate, experiment) is simulated once, on the shared
 * pool, and remembered (and checkpointed); later requests are answered from the memo.
 */
export function createScorer(s: ScorerSetup): BatchScorer {
  const byName = new Map(s.experiments.map((x) => [x.name, x]));
  const current = s.current && candidateKey(s.current);
  return async (candidates, names, fidelity = 1) => {
    // Replays of part of each stage are other evaluations than full ones: their own memo keys.
    const suffix = fidelity < 1 ? `@${fidelity}` : '';
    const keyOf = (c: Candidate | null) =>
      (c === null || candidateKey(c) === current ? CURRENT : candidateKey(c)) + suffix;
    const jobs: Job[] = [];
    const queued = new Set<string>();
    for (const c of candidates) {
      const cand = keyOf(c);
      for (const name of names) {
        const k = memoKey(cand, name);
        if (s.memo.has(k) || queued.has(k)) continue;
        queued.add(k);
        const x = byName.get(name)!;
        const isCurrent = cand === CURRENT + suffix || c === null;
        const calibration = isCurrent ? undefined : calibrationOf(s.section, { ...s.fixed, ...c });
        // The current values' score of the same replay, which a candidate's inapplicability is judged by.
        const current = isCurrent ? undefined : memoKey(CURRENT + suffix, name);
        for (const job of planJobs([x], {
          latencyModels: [s.latencyModel],
          seeds: 1,
          paths: s.paths,
          kvLeak: s.kvLeak,
          ...(calibration && { calibration }),
        })) {
          const reused = { ...job, reuseWorkload: true };
          const run = fidelity < 1 ? { ...reused, fidelity } : reused;
          jobs.push({ job: run, cand, experiment: name, ...(current && { current }) });
        }
      }
    }
    if (jobs.length > 0) await runBatch(s, jobs);
    return candidates.map((c) => names.map((n) => s.memo.get(memoKey(keyOf(c), n))!));
  };
}

/** One simulation job of a (candidate, experiment); `current`: the memo key of the current values' score. */
interface Job {
  job: EvalJob;
  cand: string;
  experiment: string;
  current?: string;
}

async function runBatch(s: ScorerSetup, jobs: Job[]): Promise<void> {
  s.onBatch?.(jobs.length, new Set(jobs.map((j) => j.cand)).size);
  const points = new Map<string, PointResult[]>();
  const left = new Map<string, number>();
  for (const j of jobs)
    left.set(memoKey(j.cand, j.experiment), (left.get(memoKey(j.cand, j.experiment)) ?? 0) + 1);
  await runEvalJobs(
    jobs.map((j) => j.job),
    s,
    (i, output) => {
      const j = jobs[i]!;
      const k = memoKey(j.cand, j.experiment);
      points.set(k, [...(points.get(k) ?? []), ...output.points]);
      left.set(k, left.get(k)! - 1);
      if (left.get(k) === 0) {
        const own = experimentScore(points.get(k)!, s.metrics);
        const score = candidateScore(own, j.current === undefined ? undefined : s.memo.get(j.current));
        s.memo.set(k, score);
        s.onRecord({ candidate: j.cand, experiment: j.experiment, score });
      }
      s.onJobDone?.();
    },
  );
  if (s.signal.aborted) throw new AbortedError('interrupted');
}

/**
 * An experiment the current values can run but a candidate cannot (a field that needs what
 * the GPU's entry lacks) fails under that candidate: left out, it would shrink the objective
 * to the experiments the candidate can run and make it look better than it is.
 */
export function candidateScore(
  score: ExperimentScore,
  current: ExperimentScore | undefined,
): ExperimentScore {
  if (score.status !== 'not_applicable' || !current || current.status === 'not_applicable') return score;
  return { status: 'failed', apes: {}, reason: `not applicable with these values: ${score.reason ?? ''}` };
}
