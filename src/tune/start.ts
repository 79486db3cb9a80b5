import { type DefaultsFile, findCoefficientsAnyVersion } from '../config/coefficients.ts';
import type { GpuSpec } from '../config/hardware-config.ts';
import { buildRooflineModel } from '../config/latency-factory.ts';
import { InputError } from '../errors.ts';
import { CALIBRATED_DEFAULTS } from '../latency/roofline-v1-calibrated.ts';
import {
  checkTrainedPhysicsCoefficients,
  TP_ALPHA_NAMES,
  TP_BETA_NAMES,
} from '../latency/trained-physics.ts';
import type { StepRequest } from '../latency/types.ts';
import type { Candidate, ParamSpec } from './space.ts';

/** Neutral values of the fields that are ours (v2 scales and overheads, the per-request overhead, the physics terms). */
const NEUTRAL: Record<string, number> = {
  bwEfficiencyFactor: 1,
  perLayerOverhead: 0,
  gemmMfuScale: 1,
  decodeGemmMfuScale: 1,
  attentionMfuScale: 1,
  requestOverheadMicros: 0,
  ttftDecodeSteps: 0,
  stepOverheadMicros: 0,
  allReduceMicros: 0,
  allReduceMicrosPerMB: 0,
  mixedStepJoint: 0,
  requestStepMicros: 0,
  allReduceLinkScale: 0,
  allReduceHopMicros: 0,
  lmHeadScale: 0,
};

/** Fields whose absence means "as this other field" (so their neutral start is its value). */
const AS_FIELD: Record<string, string> = { decodeGemmMfuScale: 'gemmMfuScale' };

/** Current values of the searched v1/v2 fields (neutral defaults where the file has none). */
export function rooflineStart(gpu: GpuSpec, params: readonly ParamSpec[]): Candidate {
  const out: Record<string, number> = {};
  for (const p of params) {
    const section = p.section === 'v2' ? gpu.v2 : gpu.v1;
    const neutral =
      p.section === 'v2'
        ? NEUTRAL[p.name]
        : ((CALIBRATED_DEFAULTS as unknown as Record<string, number>)[p.name] ?? NEUTRAL[p.name]);
    const as = AS_FIELD[p.name];
    out[p.name] = section[p.name] ?? (as === undefined ? undefined : section[as]) ?? neutral ?? p.lo;
  }
  return out;
}

/**
 * Trained-physics start: the GPU's coefficient arrays (its own or the file's defaults),
 * replaced array by array by explicit --beta-coeffs / --alpha-coeffs, as named fields.
 */
export function trainedPhysicsStart(
  gpu: GpuSpec,
  given: { beta?: readonly number[]; alpha?: readonly number[] } = {},
): Candidate {
  const beta = given.beta ?? gpu.trainedPhysics.beta;
  const alpha = given.alpha ?? gpu.trainedPhysics.alpha;
  if (!beta || !alpha) {
    throw new InputError(`${gpu.source}: no trainedPhysics coefficients for GPU '${gpu.key}' to start from`);
  }
  checkTrainedPhysicsCoefficients(beta, alpha);
  const out: Record<string, number> = {};
  TP_BETA_NAMES.forEach((n, i) => {
    out[n] = beta[i] ?? 0;
  });
  TP_ALPHA_NAMES.forEach((n, i) => {
    out[n] = alpha[i]!;
  });
  return out;
}

export interface BlackboxStartInput {
  defaults: DefaultsFile;
  model: string;
  gpu: string;
  tp: number;
  /** To derive a start from roofline v1 when the table has no row. */
  modelConfigs: string;
  hardwareConfig: string;
}

/**
 * Blackbox starting coefficients: the table's row where it has one; otherwise read off
 * roofline v1 (as shipped) for this model: β0 from a one-request decode step, β2 per
 * extra decode request, β1 per prefill token; α starts at 0.
 */
export function blackboxStart(s: BlackboxStartInput): { values: Candidate; from: string } {
  const row = findCoefficientsAnyVersion(s.defaults, s.model, s.gpu, s.tp);
  const named = (a: readonly number[], b: readonly number[]) => ({
    alpha0: a[0]!,
    alpha1: a[1]!,
    alpha2: a[2]!,
    beta0: b[0]!,
    beta1: b[1]!,
    beta2: b[2]!,
  });
  if (row)
    return {
      values: named(row.alpha_coeffs, row.beta_coeffs),
      from: `the table's row (${row.vllm_version})`,
    };
  const { model } = buildRooflineModel({
    kind: 'roofline-v1',
    model: s.model,
    modelConfigPath: s.modelConfigs,
    hardwareConfigPath: s.hardwareConfig,
    gpu: s.gpu,
    tp: s.tp,
  });
  const decode = (n: number): StepRequest[] =>
    Array.from({ length: n }, () => ({
      progressIndex: 1024,
      numNewTokens: 1,
      inputLen: 512,
      outputLen: 1024,
    }));
  const prefill: StepRequest[] = [{ progressIndex: 0, numNewTokens: 2048, inputLen: 2048, outputLen: 1 }];
  const d1 = model.stepTime(decode(1));
  const d64 = model.stepTime(decode(64));
  const p = model.stepTime(prefill);
  return {
    values: named([0, 0, 0], [d1, Math.max(0, (p - d1) / 2048), Math.max(0, (d64 - d1) / 63)]),
    from: 'roofline v1 as shipped',
  };
}

/**
 * Whether the start, scored as a candidate, runs the very model the current configuration
 * runs on each of these GPUs: every field it sets is the value the GPU's section already
 * holds (a field the file lacks would change the model, e.g. select calibrated v1), or, for
 * trained-physics, its arrays are the GPU's. Blackbox rows are looked up otherwise: never.
 */
export function startIsCurrent(
  start: Candidate,
  section: ParamSpec['section'],
  gpus: readonly GpuSpec[],
): boolean {
  if (gpus.length === 0) return false;
  if (section === 'v1' || section === 'v2')
    return gpus.every((g) => Object.entries(start).every(([k, v]) => g[section][k] === v));
  if (section !== 'trainedPhysics') return false;
  const same = (a: readonly number[] | undefined, b: readonly number[]) =>
    a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
  const beta = TP_BETA_NAMES.map((n) => start[n]!);
  const alpha = TP_ALPHA_NAMES.map((n) => start[n]!);
  return gpus.every((g) => same(g.trainedPhysics.beta, beta) && same(g.trainedPhysics.alpha, alpha));
}
