import type { Instance } from './instance.ts';
import { sortedMetric } from './request-log.ts';
import { CountedSamples, meanMs, percentileMs } from './stats.ts';

/** BLIS's MetricsOutput, field for field and in its order (reference §8.4). */
export interface MetricsOutput {
  instance_id: string;
  completed_requests: number;
  still_queued: number;
  still_running: number;
  injected_requests: number;
  total_input_tokens: number;
  total_output_tokens: number;
  vllm_estimated_duration_s: number;
  responses_per_sec: number;
  tokens_per_sec: number;
  e2e_mean_ms: number;
  e2e_p90_ms: number;
  e2e_p95_ms: number;
  e2e_p99_ms: number;
  ttft_mean_ms: number;
  ttft_p90_ms: number;
  ttft_p95_ms: number;
  ttft_p99_ms: number;
  itl_mean_ms: number;
  itl_p90_ms: number;
  itl_p95_ms: number;
  itl_p99_ms: number;
  scheduling_delay_p99_ms: number;
  kv_allocation_failures?: number;
  preemption_count: number;
  dropped_unservable: number;
}

/** Aggregates instances (one or all of a cluster) the way BLIS does (§8.3). */
export function summarize(
  instances: readonly Instance[],
  horizon: number,
  instanceId: string,
): MetricsOutput {
  let completed = 0;
  let queued = 0;
  let running = 0;
  let dropped = 0;
  let inTok = 0;
  let outTok = 0;
  let preemptions = 0;
  let kvFailures = 0;
  let ended = 0;
  const itl = new Map<number, number>();
  for (const inst of instances) {
    completed += inst.completedRequests;
    queued += inst.waitQ.length;
    running += inst.running.length;
    dropped += inst.droppedUnservable;
    inTok += inst.totalInputTokens;
    outTok += inst.totalOutputTokens;
    preemptions += inst.preemptionCount;
    kvFailures += inst.kvAllocationFailures;
    ended = Math.max(ended, Math.min(inst.clock, horizon));
    for (const [v, c] of inst.itlCounts) itl.set(v, (itl.get(v) ?? 0) + c);
  }
  const durationS = ended / 1e6;
  const logs = instances.map((inst) => inst.log);
  const e2e = sortedMetric(logs, 'e2e');
  const ttft = sortedMetric(logs, 'ttft');
  const sched = sortedMetric(logs, 'schedDelay');
  const itlSamples = new CountedSamples(itl);
  const out: MetricsOutput = {
    instance_id: instanceId,
    completed_requests: completed,
    still_queued: queued,
    still_running: running,
    injected_requests: completed + queued + running + dropped,
    total_input_tokens: inTok,
    total_output_tokens: outTok,
    vllm_estimated_duration_s: durationS,
    responses_per_sec: completed / durationS,
    tokens_per_sec: outTok / durationS,
    e2e_mean_ms: meanMs(e2e),
    e2e_p90_ms: percentileMs(e2e, 90),
    e2e_p95_ms: percentileMs(e2e, 95),
    e2e_p99_ms: percentileMs(e2e, 99),
    ttft_mean_ms: meanMs(ttft),
    ttft_p90_ms: percentileMs(ttft, 90),
    ttft_p95_ms: percentileMs(ttft, 95),
    ttft_p99_ms: percentileMs(ttft, 99),
    itl_mean_ms: itlSamples.meanMs(),
    itl_p90_ms: itlSamples.percentileMs(90),
    itl_p95_ms: itlSamples.percentileMs(95),
    itl_p99_ms: itlSamples.percentileMs(99),
    scheduling_delay_p99_ms: percentileMs(sched, 99),
    preemption_count: preemptions,
    dropped_unservable: dropped,
  };
  if (kvFailures > 0) {
    // BLIS omits the field when zero; keep its position before preemption_count.
    const { preemption_count, dropped_unservable, ...head } = out;
    return { ...head, kv_allocation_failures: kvFailures, preemption_count, dropped_unservable };
  }
  return out;
}
