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
  /** The input's full-block prefix keys, when computed ahead (a replay reused across runs). */
  inputKeys?: { blockSize: number; keys: Float64Array };
}

/**
 * A request stream in non-decreasing arrival order. Generators are lazy so that a
 * 100 000-request run never holds every token list at once.
 */
export type RequestSource = Iterable<WorkloadRequest>;
