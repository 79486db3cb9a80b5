import {
  type Fitness,
  fitness,
  holBlockingEvents,
  parseFitnessWeights,
  perSloMetrics,
  priorityInversions,
} from '../sim/analytics.ts';
import type { ClusterResult } from '../sim/cluster.ts';
import { type MetricsOutput, summarize } from '../sim/metrics.ts';
import { summarizeTrace } from '../sim/trace.ts';

export interface RunReportOptions {
  horizon: number;
  constantPriority: boolean;
  fitnessWeights: string;
  summarizeTrace: boolean;
}

/**
 * The single JSON object `blis-eval run` prints: BLIS's cluster metrics at top level, the
 * per-instance blocks under `instances` when there are several, and BLIS's other stdout
 * sections as fields, each present under the same condition BLIS prints it.
 */
export function runReport(res: ClusterResult, o: RunReportOptions): Record<string, unknown> {
  const cluster = summarize(res.instances, o.horizon, 'cluster');
  const out: Record<string, unknown> = { ...cluster };
  if (res.instances.length > 1) {
    out.instances = res.instances.map((inst) => summarize([inst], o.horizon, inst.id));
  }
  if (o.fitnessWeights) {
    const f: Fitness = fitness(res, parseFitnessWeights(o.fitnessWeights), cluster.vllm_estimated_duration_s);
    out.fitness = f;
  }
  const anomalies = {
    priority_inversions: priorityInversions(res, o.constantPriority),
    hol_blocking_events: holBlockingEvents(res),
    rejected_requests: res.rejected,
    dropped_unservable: cluster.dropped_unservable,
  };
  if (Object.values(anomalies).some((v) => v !== 0)) out.anomaly_counters = anomalies;
  const kv = kvCacheMetrics(res, cluster);
  if (Object.values(kv).some((v) => v !== 0)) out.kv_cache_metrics = kv;
  const slo = perSloMetrics(res);
  if (Object.keys(slo).length > 0) out.per_slo_metrics = slo;
  if (o.summarizeTrace && res.trace) out.trace_summary = summarizeTrace(res.trace);
  return out;
}

function kvCacheMetrics(res: ClusterResult, m: MetricsOutput) {
  const n = res.instances.length;
  const hit = res.instances.reduce((a, i) => a + i.kv.hitRate(), 0) / n;
  const thrash = res.instances.reduce((a, i) => a + (i.kv.tier?.thrashingRate() ?? 0), 0) / n;
  return {
    preemption_rate: m.completed_requests > 0 ? m.preemption_count / m.completed_requests : 0,
    cache_hit_rate: hit,
    kv_thrashing_rate: thrash,
  };
}

/** Per-request records of `--results-path` (reference §8.4), sorted by request ID. */
export function requestRecords(res: ClusterResult): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const inst of res.instances) {
    for (const r of inst.log.records()) {
      if (r.dropped) continue;
      const row: Record<string, unknown> = {
        arrived_at: r.arrival / 1e6,
        requestID: r.id,
        num_prefill_tokens: r.inputLen,
        num_decode_tokens: r.outputLen,
        ttft_ms: r.hasTTFT ? r.ttft / 1000 : 0,
        itl_ms: r.completed ? r.itlReq / 1000 : 0,
        e2e_ms: r.completed ? r.e2e / 1000 : 0,
        scheduling_delay_ms: r.hasSchedDelay ? r.schedDelay / 1000 : 0,
      };
      if (r.sloClass) row.slo_class = r.sloClass;
      if (r.tenantId) row.tenant_id = r.tenantId;
      row.handled_by = inst.id;
      rows.push(row);
    }
  }
  const id = (x: Record<string, unknown>) => x.requestID as string;
  return rows.sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}
