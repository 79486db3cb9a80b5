import { AbortedError, NoProgressError } from '../errors.ts';
import { failedPercent, isFailingRun } from '../groundtruth/experiment.ts';
import { runCluster } from '../sim/cluster.ts';
import { clusterConfig } from '../sim/cluster-config.ts';
import { CPU_TIER_DEFAULTS } from '../sim/kv-tier.ts';
import type { RequestRecord } from '../sim/request-log.ts';
import { closedLoop } from '../workload/closed-loop.ts';
import { clientCounted } from './client-count.ts';
import { prefixSpanUs, stagePrefixes } from './fidelity.ts';
import { jobLatency } from './job-latency.ts';
import type { EvalJob, JobOutput } from './job-types.ts';
import { pointMetrics } from './point-metrics.ts';
import { allPoints, pointMeta, pointResult } from './point-result.ts';
import { replayCheck } from './replay-check.ts';
import { requestLevelErrors } from './request-level.ts';
import type { PointResult } from './types.ts';
import { reusedSource } from './workload-cache.ts';
import { arrivalSpanUs, workloadSource } from './workload-source.ts';

/**
 * A simulation still busy this long after its arrivals end predicts an overload the real
 * server did not have: it stops there (a deterministic limit, unlike --timeout) and the
 * point is reported failed instead of simulating an ever-growing queue.
 */
const DRAIN_FACTOR = 3;
const DRAIN_SLACK_US = 600e6;

/**
 * Runs one job: builds the latency model (or finds it does not apply), simulates the
 * replay once and compares every measured point of it. Pure apart from the cached config
 * reads; the same job gives the same points in any thread.
 */
export function runJob(job: EvalJob, deadline = 0): JobOutput {
  const warnings: string[] = [];
  const latency = jobLatency(job, (m) => warnings.push(m));
  if (!latency.ok) {
    return { points: allPoints(job, pointMeta(job.experiment), 'not_applicable', latency.reason), warnings };
  }
  const meta = pointMeta(job.experiment, latency.kvBlocks, latency.derivedKVBlocks);
  let requests: RequestRecord[];
  try {
    requests = simulate(job, latency.model, latency.kvBlocks, deadline);
  } catch (e) {
    if (e instanceof AbortedError || e instanceof NoProgressError) {
      return { points: allPoints(job, meta, 'failed', e.message), warnings };
    }
    throw e;
  }
  const { clientOutput } = job.replay;
  const seen = clientOutput === undefined ? requests : clientCounted(requests, clientOutput);
  const points = job.replay.points.map((p): PointResult => {
    const r = pointMetrics(seen, p);
    if ('error' in r) return pointResult(job, p, meta, 'failed', r.error);
    const requestLevel = requestLevelErrors(requests, job.replay.workload, p);
    const replay = replayCheck(seen, p, job.replay.client?.paced === false);
    return {
      ...pointResult(job, p, meta, 'ok'),
      ...(latency.tablesFrom && { tablesFrom: latency.tablesFrom }),
      predicted: r.predicted,
      ...(r.ttftGrowth !== null && { simTtftGrowth: r.ttftGrowth }),
      ...(requestLevel ? { requestLevel } : {}),
      ...(replay && { replay }),
    };
  });
  return { points, warnings };
}

function simulate(
  job: EvalJob,
  latency: Parameters<typeof runCluster>[1],
  kvBlocks: number,
  deadline: number,
): RequestRecord[] {
  const e = job.experiment.engine;
  const cfg = clusterConfig({
    totalKVBlocks: kvBlocks,
    blockSize: e.blockSize,
    cpuTier: e.cpuKvBlocks > 0 ? { cpuBlocks: e.cpuKvBlocks, ...CPU_TIER_DEFAULTS } : null,
    maxRunningReqs: e.maxNumSeqs,
    maxScheduledTokens: e.maxNumBatchedTokens,
    chunkedPrefill: e.chunkedPrefill,
    prefixCaching: e.prefixCaching,
    kvLeak: job.kvLeak,
  });
  // A partial replay (tuner searches) ends its arrivals early: its overload cutoff scales with it.
  const partial = job.fidelity !== undefined && job.fidelity < 1 ? job.fidelity : null;
  const { client } = job.replay;
  // An unpaced closed loop has no schedule to fall behind, and never more than N waiting.
  const drainLimit =
    client !== undefined && !client.paced
      ? Number.POSITIVE_INFINITY
      : partial === null
        ? DRAIN_FACTOR * arrivalSpanUs(job.replay.workload) + DRAIN_SLACK_US
        : DRAIN_FACTOR * prefixSpanUs(job.replay.workload, partial) + DRAIN_SLACK_US * partial;
  const { failedFraction } = job.experiment;
  const realServer = isFailingRun(failedFraction)
    ? `the measured server failed ${failedPercent(failedFraction)} of its requests too`
    : 'the measured server kept up';
  // The sim-time limit is checked at fixed event counts, so where it stops is deterministic.
  const abort = (clock: number) => {
    if (clock > drainLimit) {
      return (
        `predicted overload: still busy ${(clock / 1e6).toFixed(0)} s into the run ` +
        `(${DRAIN_FACTOR}x the arrival span + ${DRAIN_SLACK_US / 1e6} s); ${realServer}`
      );
    }
    return deadline > 0 && Date.now() > deadline ? 'timed out (--timeout); the simulation was stopped' : null;
  };
  const seed = job.experiment.seed + job.seedIndex;
  const generate = () => {
    const source = workloadSource(job.replay.workload, seed);
    return partial === null ? source : stagePrefixes(job.replay.workload, source, partial);
  };
  const key = [job.experiment.name, job.replay.id, job.replay.workload.kind, seed, partial].join('\0');
  const source = job.reuseWorkload ? reusedSource(key, e.blockSize, generate) : generate();
  const { instances } = runCluster(cfg, latency, client ? closedLoop(source, client) : source, abort);
  return instances.flatMap((i) => i.log.records());
}
