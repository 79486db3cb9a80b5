import type { WorkloadPlan } from '../groundtruth/experiment.ts';
import { PartitionedRNG } from '../sim/rng.ts';
import { distributionRequests, randomTokens } from '../workload/distribution.ts';
import { measuredSharedPrefixRequests } from '../workload/measured-prefix.ts';
import { inferencePerfProfileRequests, sharedPrefixRequests } from '../workload/shared-prefix.ts';
import type { RequestSource, WorkloadRequest } from '../workload/types.ts';

/**
 * When the replay's arrivals end, in µs (an estimate for Poisson arrivals: count / rate).
 * The evaluator stops a simulation that has not drained long after this (see job.ts).
 */
export function arrivalSpanUs(plan: WorkloadPlan): number {
  switch (plan.kind) {
    case 'executed':
    case 'measured':
    case 'profile':
      return plan.spec.stages.reduce((t, s) => t + s.duration, 0) * 1e6;
    case 'distribution':
      return (plan.params.numRequests / plan.params.rate) * 1e6;
    case 'trace':
      return plan.rows.at(-1)?.arrivalUs ?? 0;
  }
}

/** Output tokens the replay generates (expected for random lengths): a job's relative cost. */
export function outputTokens(plan: WorkloadPlan): number {
  switch (plan.kind) {
    case 'executed':
      return (
        plan.spec.stages.reduce((t, s) => t + s.rate * s.duration, 0) * plan.spec.shared_prefix.output_len
      );
    case 'measured':
      return plan.spec.stages.reduce((t, s) => t + s.rate * s.duration, 0) * plan.lengths.output.mean;
    case 'profile':
      return (
        plan.spec.stages.reduce((t, s) => t + s.rate * s.duration, 0) *
        (plan.spec.shared_prefix?.output_len ?? 1)
      );
    case 'distribution':
      return plan.params.numRequests * plan.params.outputTokens;
    case 'trace':
      return plan.rows.reduce((t, r) => t + r.outputTokens, 0);
  }
}

/** Subsystem drawing token IDs for count-only traces (prefix sharing is unknown there). */
const TRACE_TOKENS = 'eval-trace-tokens';

/** The request stream of a replay, lazily, from its plan and seed. */
export function workloadSource(plan: WorkloadPlan, seed: number): RequestSource {
  switch (plan.kind) {
    case 'executed':
      return { [Symbol.iterator]: () => sharedPrefixRequests(plan.spec, seed) };
    case 'measured':
      return { [Symbol.iterator]: () => measuredSharedPrefixRequests(plan.spec, plan.lengths, seed) };
    case 'profile':
      return inferencePerfProfileRequests(plan.spec, seed);
    case 'distribution':
      return { [Symbol.iterator]: () => distributionRequests(plan.params, seed) };
    case 'trace':
      return { [Symbol.iterator]: () => traceRequests(plan, seed) };
  }
}

function* traceRequests(
  plan: Extract<WorkloadPlan, { kind: 'trace' }>,
  seed: number,
): Generator<WorkloadRequest> {
  const rng = new PartitionedRNG(seed).forSubsystem(TRACE_TOKENS);
  let id = 0;
  for (const row of plan.rows) {
    yield {
      id: `request_${id++}`,
      arrival: row.arrivalUs,
      input: row.inputIds ? row.inputIds.slice() : randomTokens(rng, row.inputTokens),
      output: row.outputIds ? row.outputIds.slice() : randomTokens(rng, row.outputTokens),
      ...(row.stage !== undefined ? { stage: row.stage } : {}),
    };
  }
}
