import { hasBenchData } from '../config/bench-data.ts';
import { findCoefficientsAnyVersion } from '../config/coefficients.ts';
import { ambiguityNote } from '../config/gpu-names.ts';
import { findGpu } from '../config/hardware-config.ts';
import { buildRooflineModel, cachedDefaults, cachedHardwareConfig } from '../config/latency-factory.ts';
import { buildTrainedPhysicsModel } from '../config/trained-physics-factory.ts';
import { InputError } from '../errors.ts';
import { BlackboxModel } from '../latency/blackbox.ts';
import type { LatencyModel, LatencyModelName, StepBreakdown, StepRequest } from '../latency/types.ts';

export interface StepInputs {
  model: string;
  gpu: string;
  tp: number;
  hardwareConfig: string;
  modelConfigs: string;
  benchData: string;
  coefficients: string;
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
    try {
      model = build(name, s, warn);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out[name] = { not_applicable: e.message };
      continue;
    }
    out[name] = { step_time_us: model.stepTime(batch), ...breakdownOf(model, batch) };
  }
  return out;
}

function build(name: LatencyModelName, s: StepInputs, warn: (m: string) => void): LatencyModel {
  const files = {
    model: s.model,
    modelConfigPath: s.modelConfigs,
    hardwareConfigPath: s.hardwareConfig,
    gpu: s.gpu,
    tp: s.tp,
  };
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
        ...files,
        ...(s.beta && { beta: s.beta }),
        ...(s.alpha && { alpha: s.alpha }),
      }).model;
    case 'roofline-v2': {
      const gpu = findGpu(cachedHardwareConfig(s.hardwareConfig), s.gpu);
      if (!hasBenchData(s.benchData, gpu.key, gpu.aliases))
        throw new InputError(`no MFU tables for GPU ${gpu.key} under ${s.benchData}`);
      return buildRooflineModel({ kind: name, ...files, benchDataPath: s.benchData, onWarning: warn }).model;
    }
    case 'roofline-v1':
      return buildRooflineModel({ kind: name, ...files }).model;
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
