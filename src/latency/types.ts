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
}

/** The latency models, in the order every report lists them. */
export const LATENCY_MODELS = ['blackbox', 'roofline-v1', 'roofline-v2'] as const;
export type LatencyModelName = (typeof LATENCY_MODELS)[number];
