import { AbortedError, NoProgressError } from '../errors.ts';
import { type ClusterConfig, runCluster } from '../sim/cluster.ts';
import type { SimRequest } from '../sim/request.ts';
import { jobLatency } from './job-latency.ts';
import type { EvalJob, JobOutput } from './job-types.ts';
import { pointMetrics } from './point-metrics.ts';
import type { PointMeta, PointResult } from './types.ts';
import { arrivalSpanUs, workloadSource } from './workload-source.ts';

/**
 * A simulation still busy this long after its arrivals end predicts an overload the real
 * server did not have: it stops there (a deterministic limit, unlike --timeout) and the
 * point is reported failed instead of simulating an ever-growing queue.
 */
const DRAIN_FACTOR = 3;
const DRAIN_SLACK_US = 600e6;

/** BLIS's CPU-tier flag defaults (reference §5.7), used when a file gives cpu_kv_blocks. */
const CPU_TIER_DEFAULTS = { offloadThreshold: 0.9, transferBandwidth: 100, transferBaseLatency: 0 };

/**
 * Runs one job: builds the latency model (or finds it does not apply), simulates the
 * replay once and compares every measured point of it. Pure apart from the cached config
 * reads; the same job gives the same points in any thread.
 */
export function runJob(job: EvalJob, deadline = 0): JobOutput {
  const warnings: string[] = [];
  const x = job.experiment;
  const latency = jobLatency(job, (m) => warnings.push(m));
  const meta = (kvBlocks: number, derivedKVBlocks: boolean): PointMeta => ({
    model: x.model,
    gpu: x.gpu,
    tp: x.tp,
    family: x.family,
    workloadForm: x.workloadForm,
    derivedKVBlocks,
    kvBlocks,
  });
  const result = (
    status: PointResult['status'],
    m: PointMeta,
    extra: Partial<PointResult> = {},
  ): PointResult[] =>
    job.replay.points.map((p) => ({
      experiment: x.name,
      point: p.id,
      latencyModel: job.latencyModel,
      seed: x.seed + job.seedIndex,
      status,
      measured: p.measured,
      predicted: {},
      meta: m,
      ...extra,
    }));

  if (!latency.ok) {
    return {
      points: result('not_applicable', meta(x.engine.totalKvBlocks ?? 0, false), { reason: latency.reason }),
      warnings,
    };
  }
  const m = meta(latency.kvBlocks, latency.derivedKVBlocks);
  let requests: SimRequest[];
  try {
    requests = simulate(job, latency.model, latency.kvBlocks, deadline);
  } catch (e) {
    if (e instanceof AbortedError || e instanceof NoProgressError) {
      return { points: result('failed', m, { reason: e.message }), warnings };
    }
    throw e;
  }
  const points = job.replay.points.map((p): PointResult => {
    const base = result('ok', m)[0]!;
    const r = pointMetrics(requests, p);
    const point = { ...base, point: p.id, measured: p.measured };
    return 'error' in r
      ? { ...point, status: 'failed', reason: r.error }
      : { ...point, predicted: r.predicted };
  });
  return { points, warnings };
}

function simulate(
  job: EvalJob,
  latency: Parameters<typeof runCluster>[1],
  kvBlocks: number,
  deadline: number,
): SimRequest[] {
  const e = job.experiment.engine;
  const cfg: ClusterConfig = {
    numInstances: 1,
    horizon: Number.POSITIVE_INFINITY,
    totalKVBlocks: kvBlocks,
    blockSize: e.blockSize,
    cpuTier: e.cpuKvBlocks > 0 ? { cpuBlocks: e.cpuKvBlocks, ...CPU_TIER_DEFAULTS } : null,
    maxRunningReqs: e.maxNumSeqs,
    maxScheduledTokens: e.maxNumBatchedTokens,
    longPrefillTokenThreshold: 0,
    priorityPolicy: 'constant',
    scheduler: 'fcfs',
    admission: { policy: 'always-admit', tokenBucketCapacity: 10_000, tokenBucketRefillRate: 1000 },
    admissionLatency: 0,
    routingLatency: 0,
    routingPolicy: 'round-robin',
    routingScorers: [],
    snapshotRefreshInterval: 0,
    traceDecisions: false,
    counterfactualK: 0,
  };
  const drainLimit = DRAIN_FACTOR * arrivalSpanUs(job.replay.workload) + DRAIN_SLACK_US;
  // The sim-time limit is checked at fixed event counts, so where it stops is deterministic.
  const abort = (clock: number) => {
    if (clock > drainLimit) {
      return (
        `predicted overload: still busy ${(clock / 1e6).toFixed(0)} s into the run ` +
        `(${DRAIN_FACTOR}x the arrival span + ${DRAIN_SLACK_US / 1e6} s); the measured server kept up`
      );
    }
    return deadline > 0 && Date.now() > deadline ? 'timed out (--timeout); the simulation was stopped' : null;
  };
  const { instances } = runCluster(
    cfg,
    latency,
    workloadSource(job.replay.workload, job.experiment.seed + job.seedIndex),
    abort,
  );
  return instances.flatMap((i) => i.injected);
}
