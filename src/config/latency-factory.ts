import { InputError } from '../errors.ts';
import type { ModelArch } from '../latency/arch.ts';
import { deriveKvBlocks, type KvBlocksResult } from '../latency/kv-blocks.ts';
import { withRequestStepCost } from '../latency/request-step.ts';
import { RooflineV1Model } from '../latency/roofline-v1.ts';
import { RooflineV1CalibratedModel } from '../latency/roofline-v1-calibrated.ts';
import { RooflineV2Model } from '../latency/roofline-v2.ts';
import type { LatencyModel } from '../latency/types.ts';
import { type AttentionWindowMode, windowFor, withWindowGuard } from '../latency/window-guard.ts';
import type { GemmFallback, MfuDatabase } from '../mfu/database.ts';
import { hasBenchData, loadMfuDatabase } from './bench-data.ts';
import { type TransferredTables, transferredDatabase } from './bench-transfer.ts';
import { type DefaultsFile, loadDefaults } from './coefficients.ts';
import {
  findGpu,
  type GpuSpec,
  type HardwareConfig,
  loadHardwareConfig,
  v1Params,
  v2Params,
} from './hardware-config.ts';
import { loadModelConfig, readModelConfigJson } from './model-config.ts';

/**
 * Builds roofline latency models from files: a model config (folder, file, or folder of model
 * folders plus a model id), hardware_config.json, a GPU name, TP and, for v2, a bench-data
 * root. Loaded files are cached per path, so building one model per simulated job is cheap.
 */
export interface RooflineSetup {
  readonly kind: 'roofline-v1' | 'roofline-v2';
  /** Model id as the run names it, e.g. "meta-llama/Llama-3.1-8B-Instruct". */
  readonly model: string;
  /** --model-config-folder: the model's folder, its config.json, or model_configs/. */
  readonly modelConfigPath: string;
  readonly hardwareConfigPath: string;
  /** GPU name or alias, any case (H100, a100-sxm, A100-80 …). */
  readonly gpu: string;
  readonly tp: number;
  /** Bench-data root (bench_data/, bench_data/h100 or a BLIS/InferSim root); v2 only. */
  readonly benchDataPath?: string;
  readonly alpha?: readonly number[];
  /** false = BLIS's hidden/heads even where config.json gives another head_dim. */
  readonly useConfigHeadDim?: boolean;
  /** roofline-v2 only: the monotone mode (ours; default false = BLIS's v2). */
  readonly v2Monotone?: boolean;
  /** Windowed attention: `model` (default) costs the window, `blis` ignores it as BLIS does. */
  readonly attentionWindow?: AttentionWindowMode;
  /** roofline-v2 only: the GEMM shape fallback (default `clamp`; `run` passes BLIS's). */
  readonly gemmFallback?: GemmFallback;
  /**
   * roofline-v2 only: a GPU without tables runs on a measured GPU's, transferred
   * (bench-transfer.ts); false/absent: such a GPU has no v2.
   */
  readonly mfuTransfer?: boolean;
  /** MFU-database fallbacks, reported once each. */
  readonly onWarning?: (message: string) => void;
  /** Fields laid over the GPU's v1/v2 sections (the tuner's candidate values). */
  readonly calibration?: Calibration;
  /**
   * The server ran without async scheduling (vLLM before 0.14, or `--no-async-scheduling`):
   * the section's `requestStepMicros` is charged per working request of every step
   * (latency/request-step.ts). Absent or false: it is not.
   */
  readonly syncScheduling?: boolean;
}

export interface Calibration {
  readonly v1?: Readonly<Record<string, number>>;
  readonly v2?: Readonly<Record<string, number>>;
  /** Blackbox coefficients replacing the table's row (the tuner's candidates). */
  readonly blackbox?: { readonly alpha: readonly number[]; readonly beta: readonly number[] };
  /** Trained-physics coefficient arrays replacing the GPU's (the tuner's candidates). */
  readonly trainedPhysics?: { readonly alpha?: readonly number[]; readonly beta?: readonly number[] };
}

function overlay(gpu: GpuSpec, c: Calibration | undefined): GpuSpec {
  if (!c) return gpu;
  return { ...gpu, v1: { ...gpu.v1, ...c.v1 }, v2: { ...gpu.v2, ...c.v2 } };
}

export interface BuiltRoofline {
  readonly model: LatencyModel;
  readonly variant: 'v1' | 'v1-calibrated' | 'v2';
  readonly arch: ModelArch;
  readonly gpu: GpuSpec;
  /** roofline-v2 on transferred tables: the measured GPU they came from. */
  readonly tablesFrom?: string;
}

const hwCache = new Map<string, HardwareConfig>();
const archCache = new Map<string, ModelArch>();
const jsonCache = new Map<string, ReturnType<typeof readModelConfigJson>>();
const dbCache = new Map<string, MfuDatabase>();
const transferCache = new Map<string, TransferredTables>();
const defaultsCache = new Map<string, DefaultsFile>();

export function clearLatencyCaches(): void {
  hwCache.clear();
  archCache.clear();
  jsonCache.clear();
  dbCache.clear();
  transferCache.clear();
  defaultsCache.clear();
}

function cached<T>(cache: Map<string, T>, key: string, load: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = load();
    cache.set(key, v);
  }
  return v;
}

export function cachedHardwareConfig(path: string): HardwareConfig {
  return cached(hwCache, path, () => loadHardwareConfig(path));
}

export function cachedDefaults(path: string): DefaultsFile {
  return cached(defaultsCache, path, () => loadDefaults(path));
}

export function cachedModelArch(path: string, model: string): ModelArch {
  return cached(archCache, `${path}\u0000${model}`, () => loadModelConfig(path, model));
}

export function cachedModelJson(path: string, model: string): ReturnType<typeof readModelConfigJson> {
  return cached(jsonCache, `${path}\u0000${model}`, () => readModelConfigJson(path, model));
}

/**
 * The MFU database of one GPU (cached per root, GPU and GEMM fallback; warnings go to the
 * first caller's sink).
 */
export function cachedMfuDatabase(
  root: string,
  gpu: GpuSpec,
  onWarning?: (m: string) => void,
  gemmFallback: GemmFallback = 'clamp',
): MfuDatabase {
  return cached(dbCache, `${root}\u0000${gpu.key}\u0000${gemmFallback}`, () =>
    loadMfuDatabase(root, gpu.key, {
      aliases: gpu.aliases,
      gemmFallback,
      ...(onWarning && { warn: onWarning }),
    }),
  );
}

/** The MFU database of a GPU without tables, transferred from the nearest measured GPU (cached). */
export function cachedTransferredDatabase(
  root: string,
  gpu: GpuSpec,
  hardware: HardwareConfig,
  onWarning?: (m: string) => void,
  gemmFallback: GemmFallback = 'clamp',
): TransferredTables {
  return cached(transferCache, `${root}\u0000${gpu.key}\u0000${gemmFallback}`, () =>
    transferredDatabase(root, gpu, hardware, { gemmFallback, ...(onWarning && { warn: onWarning }) }),
  );
}

export function buildRooflineModel(s: RooflineSetup): BuiltRoofline {
  const built = buildUnguarded(s);
  const { attentionWindow, name } = built.arch;
  const section = built.variant === 'v2' ? built.gpu.v2 : built.gpu.v1;
  const cpu = s.syncScheduling === true ? (section.requestStepMicros ?? 0) : 0;
  return { ...built, model: withRequestStepCost(withWindowGuard(built.model, attentionWindow, name), cpu) };
}

function buildUnguarded(s: RooflineSetup): BuiltRoofline {
  const arch = windowFor(cachedModelArch(s.modelConfigPath, s.model), s.attentionWindow ?? 'model');
  const hardware = cachedHardwareConfig(s.hardwareConfigPath);
  const gpu = overlay(findGpu(hardware, s.gpu), s.calibration);
  // requestOverheadMicros (ours): a fixed per-request delay before the request is queued
  // (API, tokenizer, first streamed chunk), through the roofline's alpha hook. Given alpha
  // coefficients win, as in BLIS.
  const section = s.kind === 'roofline-v2' ? gpu.v2 : gpu.v1;
  const overhead = section.requestOverheadMicros;
  const alpha = s.alpha ?? (overhead ? [overhead, 0, 0] : undefined);
  const lag = section.ttftDecodeSteps;
  const opts = {
    ...(alpha && { alpha }),
    ...(lag !== undefined && { ttftDecodeSteps: lag }),
    ...(s.useConfigHeadDim !== undefined && { useConfigHeadDim: s.useConfigHeadDim }),
  };
  if (s.kind === 'roofline-v2') {
    const root = s.benchDataPath;
    if (!root) throw new InputError('roofline-v2 needs --bench-data-path (MFU tables)');
    const transferred =
      s.mfuTransfer && !hasBenchData(root, gpu.key, gpu.aliases)
        ? cachedTransferredDatabase(root, gpu, hardware, s.onWarning, s.gemmFallback)
        : null;
    const db = transferred?.db ?? cachedMfuDatabase(root, gpu, s.onWarning, s.gemmFallback);
    const v2opts = { ...opts, monotone: s.v2Monotone === true };
    const model = new RooflineV2Model(arch, v2Params(gpu), s.tp, db, v2opts);
    return { model, variant: 'v2', arch, gpu, ...(transferred && { tablesFrom: transferred.from }) };
  }
  const v1 = v1Params(gpu);
  if (v1.calibration) {
    const model = new RooflineV1CalibratedModel(arch, v1.params, v1.calibration, s.tp, opts);
    return { model, variant: 'v1-calibrated', arch, gpu };
  }
  return { model: new RooflineV1Model(arch, v1.params, s.tp, opts), variant: 'v1', arch, gpu };
}

/** KV blocks from GPU memory when a run does not give them (see latency/kv-blocks.ts). */
export function deriveKvBlocksFor(
  arch: ModelArch,
  gpu: GpuSpec,
  tp: number,
  opts: { blockSize?: number; gpuMemoryUtilization?: number; maxNumBatchedTokens?: number } = {},
): KvBlocksResult {
  if (gpu.MemoryGiB === undefined) {
    throw new InputError(`${gpu.source}: GPU '${gpu.key}' has no MemoryGiB; cannot derive KV blocks`);
  }
  return deriveKvBlocks({ arch, tp, memoryGiB: gpu.MemoryGiB, ...opts });
}
