import { InputError } from '../errors.ts';
import { TrainedPhysicsModel } from '../latency/trained-physics.ts';
import { type TrainedPhysicsFeatures, trainedPhysicsFeatures } from '../latency/trained-physics-features.ts';
import type { LatencyModel } from '../latency/types.ts';
import { type AttentionWindowMode, windowFor, withWindowGuard } from '../latency/window-guard.ts';
import { findGpu, type GpuSpec } from './hardware-config.ts';
import { type Calibration, cachedHardwareConfig, cachedModelJson } from './latency-factory.ts';

/**
 * Builds BLIS v0.7.1's trained-physics model from files: the model's config.json, the GPU's
 * peaks and its `trainedPhysics` coefficients in hardware_config.json (its own or the file's
 * `defaults`). Explicit arrays (--beta-coeffs / --alpha-coeffs) win over the tuner's
 * candidate, which wins over the file; each array is taken whole.
 */
export interface TrainedPhysicsSetup {
  readonly model: string;
  readonly modelConfigPath: string;
  readonly hardwareConfigPath: string;
  readonly gpu: string;
  readonly tp: number;
  readonly beta?: readonly number[];
  readonly alpha?: readonly number[];
  readonly calibration?: Calibration;
  /** Windowed attention: `model` (default) costs the window, `blis` ignores it as BLIS does. */
  readonly attentionWindow?: AttentionWindowMode;
}

export interface BuiltTrainedPhysics {
  readonly model: LatencyModel;
  readonly features: TrainedPhysicsFeatures;
  readonly gpu: GpuSpec;
  readonly beta: readonly number[];
  readonly alpha: readonly number[];
}

export function buildTrainedPhysicsModel(s: TrainedPhysicsSetup): BuiltTrainedPhysics {
  const gpu = findGpu(cachedHardwareConfig(s.hardwareConfigPath), s.gpu);
  const { json, file, name } = cachedModelJson(s.modelConfigPath, s.model);
  const features = windowFor(trainedPhysicsFeatures(json, file, name, s.tp), s.attentionWindow ?? 'model');
  const pick = (which: 'beta' | 'alpha'): readonly number[] => {
    const v = s[which] ?? s.calibration?.trainedPhysics?.[which] ?? gpu.trainedPhysics[which];
    if (v === undefined) {
      throw new InputError(
        `${gpu.source}: no trainedPhysics.${which} for GPU '${gpu.key}' (nor in 'defaults'); give --${which}-coeffs`,
      );
    }
    return v;
  };
  const beta = pick('beta');
  const alpha = pick('alpha');
  if (gpu.TFlopsPeak === undefined || gpu.BwPeakTBs === undefined) {
    throw new InputError(
      `${gpu.source}: GPU '${gpu.key}' needs TFlopsPeak and BwPeakTBs for trained-physics`,
    );
  }
  const hw = {
    TFlopsPeak: gpu.TFlopsPeak,
    BwPeakTBs: gpu.BwPeakTBs,
    ...(gpu.TFlopsFP8 !== undefined && { TFlopsFP8: gpu.TFlopsFP8 }),
  };
  const model = new TrainedPhysicsModel(features, hw, s.tp, beta, alpha);
  return { model: withWindowGuard(model, features.attentionWindow, name), features, gpu, beta, alpha };
}
