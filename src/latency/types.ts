/**
 * The view of a batch request that latency models read. The simulator's own request
 * records satisfy it structurally, so no per-step copies are made.
 */
export interface StepRequest {
  /** Input tokens processed plus output tokens generated so far (BLIS ProgressIndex). */
  readonly progressIndex: number;
  /** Tokens scheduled for this request in the current step (possibly stale, quirk Q2). */
  readonly numNewTokens: number;
  readonly inputLen: number;
  readonly outputLen: number;
}

/** BLIS's latency-model contract. Every value is in integer µs. */
export interface LatencyModel {
  readonly name: LatencyModelName;
  stepTime(batch: readonly StepRequest[]): number;
  queueingTime(inputLen: number): number;
  outputTokenProcessingTime(): number;
  schedulingProcessingTime(): number;
  preemptionProcessingTime(): number;
  /**
   * µs added to a request's E2E once (not to TTFT or ITL), when it has at least one output
   * token: BLIS v0.7.1's α1. Absent = 0 (v0.6.1).
   */
  postDecodeOverhead?(): number;
  /**
   * false: no extra ITL entry at completion (v0.7.1: N output tokens give N−1 ITLs). Absent =
   * v0.6.1's "phantom" entry (reference §3.4).
   */
  readonly phantomItl?: boolean;
  /**
   * Ours: TTFT also counts this many of the request's first decode steps (its first ITL
   * times this), the lag between the first token and the client seeing it; E2E and the
   * steps are unchanged. Absent = 0 (BLIS).
   */
  readonly ttftDecodeSteps?: number;
  /** The model's own decomposition of a step, for `blis-eval step`; allocates. */
  breakdown?(batch: readonly StepRequest[]): StepBreakdown;
}

/**
 * A step decomposed: what each part adds to the step time, and what it was computed from.
 * `contributions_us`, summed in order, is exactly `stepTime(batch)` (its last entry,
 * `rounding`, takes the sum to the integer step time).
 */
export interface StepBreakdown {
  readonly contributions_us: Readonly<Record<string, number>>;
  /** Raw basis values (µs) before the coefficients scale them; absent where there are none. */
  readonly basis_us?: Readonly<Record<string, number>>;
  /** The batch counts the terms come from. */
  readonly counts: Readonly<Record<string, number>>;
}

/** The last contribution of a breakdown: integer step time minus the sum before it. */
export function withRounding(stepUs: number, parts: Record<string, number>): Record<string, number> {
  let sum = 0;
  for (const v of Object.values(parts)) sum += v;
  return { ...parts, rounding: stepUs - sum };
}

/** The latency models, in the order every report lists them. */
export const LATENCY_MODELS = ['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics'] as const;
export type LatencyModelName = (typeof LATENCY_MODELS)[number];
