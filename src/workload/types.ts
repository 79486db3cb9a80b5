import type { FullBlocks } from '../sim/block-keys.ts';

/** One generated request, as the workload generators hand it to the simulator. Times in µs. */
export interface WorkloadRequest {
  /** `request_<n>`, unique within a run. */
  id: string;
  /** Arrival time in integer µs. */
  arrival: number;
  /** Prompt token IDs (shared prefix included). */
  input: Int32Array;
  /** Output token IDs, known in advance as in BLIS. */
  output: Int32Array;
  tenantId?: string;
  sloClass?: string;
  sessionId?: string;
  /** Stage index for staged (inference-perf) workloads; used by per-stage metrics. */
  stage?: number;
  /** The input's full-block keys and hashes, when computed ahead (a replay reused across runs). */
  inputBlocks?: FullBlocks;
}

/**
 * A request stream in non-decreasing arrival order. Generators are lazy so that a
 * 100 000-request run never holds every token list at once.
 */
export type RequestSource = Iterable<WorkloadRequest>;

/**
 * A request stream whose sends depend on completions: a client that keeps at most N
 * requests in flight (closed-loop.ts). The simulator asks when the next request is sent,
 * takes it then, and reports each request that leaves (completed, dropped or rejected).
 */
export interface ClosedLoopSource {
  readonly closedLoop: true;
  /** µs of the next send; +Infinity while the limit is reached or nothing is left to send. */
  nextSendTime(): number;
  /** The next request, its `arrival` the send time nextSendTime() gave. */
  send(): WorkloadRequest;
  /** A request left at `time` µs (its client saw the last token, or the error). */
  finished(time: number): void;
  /** Every request has been sent. */
  exhausted(): boolean;
}
