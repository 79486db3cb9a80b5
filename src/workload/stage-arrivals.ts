/**
 * Arrival times of a staged inference-perf replay. Stage k sends round(rate_k × duration_k)
 * requests, as inference-perf does for both of its rate-driven load types:
 * - `constant`: evenly spaced, request i at stage start + ⌊i·10⁶/rate⌋ µs;
 * - `poisson`: drawn, not the run's own: exponential gaps at the stage rate, as BLIS draws
 *   Poisson arrivals (reference §7.4: trunc(ExpFloat64 / rate), at least 1 µs) from a seeded
 *   Go rand of its own subsystem, so the prompts drawn stay those of the constant replay.
 */
import { PartitionedRNG } from '../sim/rng.ts';
import { createArrivalSampler } from './arrivals.ts';

/** Subsystem of drawn arrivals (apart from the prompt and length draws). */
export const SUBSYSTEM_STAGE_ARRIVALS = 'workload-stage-arrivals';

export const STAGE_LOAD_TYPES = ['constant', 'poisson'] as const;
export type StageLoadType = (typeof STAGE_LOAD_TYPES)[number];

export interface StagedLoad {
  load_type: StageLoadType;
  stages: readonly { rate: number; duration: number }[];
}

export interface StageArrival {
  arrival: number;
  stage: number;
}

/** Requests per stage: round(rate × duration). */
export function stageCounts(load: Pick<StagedLoad, 'stages'>): number[] {
  return load.stages.map((s) => Math.round(s.rate * s.duration));
}

/** The arrivals of every stage in order; `seed` draws Poisson gaps (constant load ignores it). */
export function stageArrivals(load: StagedLoad, seed: bigint | number): Generator<StageArrival> {
  return load.load_type === 'poisson' ? poissonArrivals(load, seed) : constantArrivals(load);
}

/** inference-perf's `constant` load: request i of a stage at stage start + ⌊i·10⁶/rate⌋ µs. */
export function* constantArrivals(load: Pick<StagedLoad, 'stages'>): Generator<StageArrival> {
  const counts = stageCounts(load);
  let start = 0;
  for (let k = 0; k < load.stages.length; k++) {
    const { rate, duration } = load.stages[k]!;
    for (let i = 0; i < counts[k]!; i++) yield { arrival: start + Math.floor((i * 1e6) / rate), stage: k };
    start += Math.round(duration * 1e6);
  }
}

/**
 * Poisson arrivals at each stage's rate: the first one gap after the stage starts. A stage
 * starts at its nominal time, or at the previous stage's last arrival when the draws ran
 * past it (inference-perf runs stages one after another), so arrivals never go back.
 */
export function* poissonArrivals(
  load: Pick<StagedLoad, 'stages'>,
  seed: bigint | number,
): Generator<StageArrival> {
  const rng = new PartitionedRNG(seed).forSubsystem(SUBSYSTEM_STAGE_ARRIVALS);
  const counts = stageCounts(load);
  let nominal = 0;
  let t = 0;
  for (let k = 0; k < load.stages.length; k++) {
    const { rate, duration } = load.stages[k]!;
    const gap = createArrivalSampler('poisson', undefined, rate / 1e6);
    t = Math.max(t, nominal);
    for (let i = 0; i < counts[k]!; i++) {
      t += gap(rng);
      yield { arrival: t, stage: k };
    }
    nominal += Math.round(duration * 1e6);
  }
}
