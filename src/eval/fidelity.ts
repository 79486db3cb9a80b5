import type { WorkloadPlan } from '../groundtruth/experiment.ts';
import type { RequestSource, WorkloadRequest } from '../workload/types.ts';
import { arrivalSpanUs } from './workload-source.ts';

/**
 * A cheaper replay for calibration searches: only the requests that arrive in the first
 * `fraction` of each stage (of the whole arrival span for unstaged workloads). Stages run at
 * constant rates, so their early part shows the same steady state at a fraction of the cost;
 * the tuner reports every figure from full replays.
 */
export function stagePrefixes(plan: WorkloadPlan, source: RequestSource, fraction: number): RequestSource {
  const { stages, ends } = windows(plan, fraction);
  const last = ends.at(-1) ?? 0;
  const stageOf = (r: WorkloadRequest) => {
    if (r.stage !== undefined) return r.stage;
    let t = 0;
    for (let i = 0; i < stages.length; i++) {
      t += stages[i]!;
      if (r.arrival < t) return i;
    }
    return stages.length - 1;
  };
  return {
    *[Symbol.iterator]() {
      for (const r of source) {
        if (r.arrival >= last) return;
        if (r.arrival < (ends[stageOf(r)] ?? last)) yield r;
      }
    },
  };
}

/** When the last kept request arrives (µs): the overload cutoff of a partial replay starts there. */
export function prefixSpanUs(plan: WorkloadPlan, fraction: number): number {
  return windows(plan, fraction).ends.at(-1) ?? 0;
}

function windows(plan: WorkloadPlan, fraction: number): { stages: number[]; ends: number[] } {
  const stages =
    plan.kind === 'executed' || plan.kind === 'measured' || plan.kind === 'profile'
      ? plan.spec.stages.map((s) => s.duration * 1e6)
      : [arrivalSpanUs(plan)];
  const ends: number[] = [];
  let start = 0;
  for (const d of stages) {
    ends.push(start + fraction * d);
    start += d;
  }
  return { stages, ends };
}
