import { hasBenchData } from '../config/bench-data.ts';
import { findCoefficientsAnyVersion } from '../config/coefficients.ts';
import { ambiguityNote } from '../config/gpu-names.ts';
import { findGpu } from '../config/hardware-config.ts';
import { buildRooflineModel, cachedDefaults, cachedHardwareConfig } from '../config/latency-factory.ts';
import { buildTrainedPhysicsModel } from '../config/trained-physics-factory.ts';
import { InputError } from '../errors.ts';
import { BlackboxModel } from '../latency/blackbox.ts';
import type { LatencyModel, LatencyModelName, StepBreakdown, StepRequest } from '../latency/types.ts';
import type { AttentionWindowMode } from '../latency/window-guard.ts';

export interface StepInputs {
  model: string;
  gpu: string;
  tp: number;
  hardwareConfig: string;
  modelConfigs: string;
  benchData: string;
  coefficients: string;
  /** roofline-v2 on a GPU without tables: the nearest measured GPU's, transferred. */
  mfuTransfer?: boolean;
  /** Windowed attention (default model); the CLI passes blis unless told. */
  attentionWindow?: AttentionWindowMode;
  /** trained-physics: arrays replacing the hardware config's. */
  beta?: number[];
  alpha?: number[];
}

/**
 * One latency model's answer for a batch: the step time and its breakdown (contributions that
 * add up to it, raw basis values, batch counts), or for a model without an additive
 * breakdown the step time of the batch's prefill part and decode part, each alone; or why
 * the model does not apply.
 */
export type StepAnswer = StepResult | { not_applicable: string };
export interface StepResult extends Partial<StepBreakdown> {
  step_time_us: number;
  counts: Readonly<Record<string, number>>;
  /** roofline-v2 on transferred MFU tables: the measured GPU they came from. */
  mfu_tables_transferred_from?: string;
  alone_us?: { prefill: number; decode: number };
}

/** The step time and terms of one batch under each named latency model. */
export function stepAnswers(
  names: readonly LatencyModelName[],
  s: StepInputs,
  batch: readonly StepRequest[],
  warn: (m: string) => void,
): Record<string, StepAnswer> {
  const out: Record<string, StepAnswer> = {};
  for (const name of names) {
    let model: LatencyModel;
    let from: string | undefined;
    try {
      ({ model, from } = build(name, s, warn));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out[name] = { not_applicable: e.message };
      continue;
    }
    out[name] = {
      step_time_us: model.stepTime(batch),
      ...breakdownOf(model, batch),
      ...(from && { mfu_tables_transferred_from: from }),
    };
  }
  return out;
}

function build(
  name: LatencyModelName,
  s: StepInputs,
  warn: (m: string) => void,
): { model: LatencyModel; from?: string } {
  if (name === 'roofline-v2') return buildV2(s, warn);
  return { model: buildOther(name, s) };
}

function files(s: StepInputs) {
  return {
    model: s.model,
    modelConfigPath: s.modelConfigs,
    hardwareConfigPath: s.hardwareConfig,
    gpu: s.gpu,
    tp: s.tp,
    ...(s.attentionWindow && { attentionWindow: s.attentionWindow }),
  };
}

function buildV2(s: StepInputs, warn: (m: string) => void): { model: LatencyModel; from?: string } {
  const gpu = findGpu(cachedHardwareConfig(s.hardwareConfig), s.gpu);
  if (!s.mfuTransfer && !hasBenchData(s.benchData, gpu.key, gpu.aliases))
    throw new InputError(`no MFU tables for GPU ${gpu.key} under ${s.benchData}`);
  const built = buildRooflineModel({
    kind: 'roofline-v2',
    ...files(s),
    benchDataPath: s.benchData,
    mfuTransfer: s.mfuTransfer === true,
    onWarning: warn,
  });
  return { model: built.model, ...(built.tablesFrom && { from: built.tablesFrom }) };
}

function buildOther(name: Exclude<LatencyModelName, 'roofline-v2'>, s: StepInputs): LatencyModel {
  switch (name) {
    case 'blackbox': {
      const row = findCoefficientsAnyVersion(cachedDefaults(s.coefficients), s.model, s.gpu, s.tp);
      const ambiguous = ambiguityNote(s.gpu);
      if (!row)
        throw new InputError(
          `no blackbox coefficients for ${s.model} on ${s.gpu} TP ${s.tp}${ambiguous && ` (GPU ${ambiguous})`}`,
        );
      return new BlackboxModel(row.alpha_coeffs, row.beta_coeffs);
    }
    case 'trained-physics':
      return buildTrainedPhysicsModel({
        ...files(s),
        ...(s.beta && { beta: s.beta }),
        ...(s.alpha && { alpha: s.alpha }),
      }).model;
    case 'roofline-v1':
      return buildRooflineModel({ kind: name, ...files(s) }).model;
  }
}

/**
 * The model's own breakdown where it has one; otherwise the batch counts and the step time of
 * the prefill part and of the decode part alone (0 when the part is empty).
 */
function breakdownOf(model: LatencyModel, batch: readonly StepRequest[]): Omit<StepResult, 'step_time_us'> {
  if (model.breakdown) return model.breakdown(batch);
  const prefill = batch.filter((r) => r.progressIndex < r.inputLen);
  const decode = batch.filter((r) => r.progressIndex >= r.inputLen && r.outputLen > 0);
  return {
    counts: {
      prefill_tokens: prefill.reduce((a, r) => a + r.numNewTokens, 0),
      decode_requests: decode.length,
    },
    alone_us: {
      prefill: prefill.length > 0 ? model.stepTime(prefill) : 0,
      decode: decode.length > 0 ? model.stepTime(decode) : 0,
    },
  };
}
