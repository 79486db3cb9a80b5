import { formLabel, type MeasuredPoint } from '../groundtruth/experiment.ts';
import type { EvalJob } from './job-types.ts';
import type { PointMeta, PointResult } from './types.ts';

/** Facts of the experiment for breakdowns; KV blocks as the job resolved them (or the file's). */
export function pointMeta(
  x: EvalJob['experiment'],
  kvBlocks = x.engine.totalKvBlocks ?? 0,
  derivedKVBlocks = false,
): PointMeta {
  return {
    model: x.model,
    gpu: x.gpu,
    tp: x.tp,
    family: x.family,
    workloadForm: formLabel(x),
    ...(x.replayNote !== undefined && { replayNote: x.replayNote }),
    derivedKVBlocks,
    kvBlocks,
    ...(x.failedFraction && { failedFraction: x.failedFraction }),
    ...(x.overloaded && { overloaded: true }),
  };
}

/** The result of one measured point of a job, before or without predictions. */
export function pointResult(
  job: EvalJob,
  p: MeasuredPoint,
  meta: PointMeta,
  status: PointResult['status'],
  reason?: string,
): PointResult {
  return {
    experiment: job.experiment.name,
    point: p.id,
    latencyModel: job.latencyModel,
    seed: job.experiment.seed + job.seedIndex,
    status,
    ...(reason !== undefined && { reason }),
    measured: p.measured,
    predicted: {},
    meta,
  };
}

/** Every point of a job with one status (not applicable, failed). */
export function allPoints(
  job: EvalJob,
  meta: PointMeta,
  status: PointResult['status'],
  reason: string,
): PointResult[] {
  return job.replay.points.map((p) => pointResult(job, p, meta, status, reason));
}
