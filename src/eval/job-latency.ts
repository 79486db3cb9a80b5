import { hasBenchData } from '../config/bench-data.ts';
import { findCoefficientsAnyVersion } from '../config/coefficients.ts';
import { findGpu, type GpuSpec } from '../config/hardware-config.ts';
import {
  buildRooflineModel,
  cachedDefaults,
  cachedHardwareConfig,
  cachedModelArch,
  deriveKvBlocksFor,
} from '../config/latency-factory.ts';
import { modelConfigSource } from '../config/model-config.ts';
import { buildTrainedPhysicsModel } from '../config/trained-physics-factory.ts';
import { InputError } from '../errors.ts';
import type { ModelArch } from '../latency/arch.ts';
import { BlackboxModel } from '../latency/blackbox.ts';
import type { LatencyModel } from '../latency/types.ts';
import type { EvalJob } from './job-types.ts';

export type JobLatency =
  | {
      ok: true;
      model: LatencyModel;
      kvBlocks: number;
      derivedKVBlocks: boolean;
      /** roofline-v2 on transferred MFU tables: the measured GPU they came from. */
      tablesFrom?: string;
    }
  | { ok: false; reason: string };

/** A bad-input error raised while preparing the model means "not applicable", with its reason. */
function attempt<T>(what: string, f: () => T): T | { reason: string } {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) return { reason: `${what}: ${e.message}` };
    throw e;
  }
}

const failed = (v: unknown): v is { reason: string } => typeof v === 'object' && v !== null && 'reason' in v;

/**
 * The latency model and KV-block count of a job, or why the model does not apply to the
 * experiment (no coefficients, no model config, no MFU tables for the GPU, …).
 */
export function jobLatency(job: EvalJob, warn: (m: string) => void): JobLatency {
  const x = job.experiment;
  const p = job.paths;
  const modelConfigPath = modelConfigSource(x, p.modelConfigs);
  const arch = attempt('model config', () => cachedModelArch(modelConfigPath, x.model));
  const gpu = attempt('hardware config', () => findGpu(cachedHardwareConfig(p.hardwareConfig), x.gpu));
  const kv = kvBlocks(job, arch, gpu);
  if (failed(kv)) return { ok: false, reason: kv.reason };

  if (job.latencyModel === 'blackbox') {
    const given = job.calibration?.blackbox;
    if (given) return { ok: true, model: new BlackboxModel(given.alpha, given.beta), ...kv };
    const row = findCoefficientsAnyVersion(cachedDefaults(p.coefficients), x.model, x.gpu, x.tp);
    if (!row) return { ok: false, reason: `no blackbox coefficients for ${x.model} on ${x.gpu} TP ${x.tp}` };
    return { ok: true, model: new BlackboxModel(row.alpha_coeffs, row.beta_coeffs), ...kv };
  }
  if (failed(arch)) return { ok: false, reason: arch.reason };
  if (failed(gpu)) return { ok: false, reason: gpu.reason };
  if (job.latencyModel === 'trained-physics') {
    const tp = attempt('trained-physics', () =>
      buildTrainedPhysicsModel({
        model: x.model,
        modelConfigPath,
        hardwareConfigPath: p.hardwareConfig,
        gpu: x.gpu,
        tp: x.tp,
        ...(job.calibration && { calibration: job.calibration }),
      }),
    );
    if (failed(tp)) return { ok: false, reason: tp.reason };
    return { ok: true, model: tp.model, ...kv };
  }
  if (
    job.latencyModel === 'roofline-v2' &&
    !p.mfuTransfer &&
    !hasBenchData(p.benchData, gpu.key, gpu.aliases)
  ) {
    return { ok: false, reason: `no MFU tables for GPU ${gpu.key} under ${p.benchData}` };
  }
  const built = attempt(job.latencyModel, () =>
    buildRooflineModel({
      kind: job.latencyModel === 'roofline-v2' ? 'roofline-v2' : 'roofline-v1',
      model: x.model,
      modelConfigPath,
      hardwareConfigPath: p.hardwareConfig,
      gpu: x.gpu,
      tp: x.tp,
      benchDataPath: p.benchData,
      mfuTransfer: p.mfuTransfer === true,
      onWarning: warn,
      ...(job.calibration && { calibration: job.calibration }),
      syncScheduling: x.engine.asyncScheduling === false,
    }),
  );
  if (failed(built)) return { ok: false, reason: built.reason };
  return { ok: true, model: built.model, ...kv, ...(built.tablesFrom && { tablesFrom: built.tablesFrom }) };
}

function kvBlocks(
  job: EvalJob,
  arch: ModelArch | { reason: string },
  gpu: GpuSpec | { reason: string },
): { kvBlocks: number; derivedKVBlocks: boolean } | { reason: string } {
  const e = job.experiment.engine;
  if (e.totalKvBlocks !== null) return { kvBlocks: e.totalKvBlocks, derivedKVBlocks: false };
  if (failed(arch)) return { reason: `cannot derive total_kv_blocks: ${arch.reason}` };
  if (failed(gpu)) return { reason: `cannot derive total_kv_blocks: ${gpu.reason}` };
  const derived = attempt('derived total_kv_blocks', () =>
    deriveKvBlocksFor(arch, gpu, job.experiment.tp, {
      blockSize: e.blockSize,
      gpuMemoryUtilization: e.gpuMemoryUtilization,
      maxNumBatchedTokens: e.maxNumBatchedTokens,
    }),
  );
  if (failed(derived)) return derived;
  return { kvBlocks: derived.blocks, derivedKVBlocks: true };
}
