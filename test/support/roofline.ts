import { join } from 'node:path';
import { findGpu, type HardwareConfig, v1Params } from '../../src/config/hardware-config.ts';
import { loadModelConfig, parseModelConfig } from '../../src/config/model-config.ts';
import type { ModelArch } from '../../src/latency/arch.ts';
import { RooflineV1Model, type RooflineV1Params } from '../../src/latency/roofline-v1.ts';
import type { RooflineV2Params } from '../../src/latency/roofline-v2.ts';
import type { StepRequest } from '../../src/latency/types.ts';
import { sharedJson } from './shared.ts';

/** data/blis/roofline_reference.json: step times of the original Go code on synthetic batches. */
export interface RooflineReference {
  scenarios: Record<string, { prefill: [number, number][]; decode_kv: string | [] }>;
  'v1_v0.6.1': { rows: [string, string, number, string, number][] };
  v2_branch: {
    hardware: Record<string, number>;
    rows: [string, number, string, number][];
    'mfu_lookups_llama-3.1-8b': { rows: (string | number)[][] };
  };
  optroofline_branch: { columns: string[]; rows: number[][] };
}

export const reference = (): RooflineReference =>
  sharedJson<RooflineReference>('data/blis/roofline_reference.json');

/** The reference's short model names → the shipped model_configs folders. */
export const MODEL_FOLDERS: Record<string, string> = {
  'llama-3.1-8b': 'llama-3.1-8b-instruct',
  'qwen2.5-7b': 'qwen2.5-7b-instruct',
  'codellama-34b': 'codellama-34b-instruct-hf',
  'qwen3-14b': 'qwen3-14b',
  'llama-2-7b': 'llama-2-7b-hf',
};

/** BLIS's own hardware_config.json of each version and branch (reference §12.1), by version. */
export const blisHardwareFiles = () =>
  sharedJson<Record<string, Record<string, Record<string, number>>>>('data/blis/hardware_configs.json');

/** A reference model's geometry from the shipped model_configs/, by its short name. */
export const referenceArch = (short: string): ModelArch =>
  loadModelConfig(join('model_configs', MODEL_FOLDERS[short]!));

/** BLIS v0.6.1's H100 roofline-v1 section (its hardware_config.json), without the GPU's peaks. */
export const BLIS_V1_SECTION = {
  BwEffConstant: 0.72,
  TOverheadMicros: 500,
  perLayerOverhead: 20,
  mfuPrefill: 0.65,
  mfuDecode: 0.12,
  allReduceLatency: 20,
};
const H100_PEAKS = { TFlopsPeak: 989.5, TFlopsFP8: 1978.9, BwPeakTBs: 3.35 };
/** BLIS v0.6.1's H100 for roofline-v1. */
export const BLIS_H100_V1: RooflineV1Params = { ...H100_PEAKS, ...BLIS_V1_SECTION };
/** The roofline branch's H100 for roofline-v2. */
export const BLIS_H100_V2: RooflineV2Params = {
  ...H100_PEAKS,
  bwEfficiencyFactor: 0.82,
  perLayerOverhead: 100,
};

export function prefill(progress: number, tokens: number): StepRequest {
  return { progressIndex: progress, numNewTokens: tokens, inputLen: progress + tokens, outputLen: 16 };
}

/** A decode request: its whole input is cached and `kv` tokens are in context. */
export function decode(kv: number): StepRequest {
  return { progressIndex: kv, numNewTokens: 1, inputLen: Math.min(kv, 1), outputLen: kv + 16 };
}

export function decodes(count: number, kv: number): StepRequest[] {
  return Array.from({ length: count }, () => decode(kv));
}

/** The batch a reference scenario describes (prefill [ProgressIndex, NumNew] pairs plus decodes). */
export function scenarioBatch(ref: RooflineReference, name: string): StepRequest[] {
  if (name === 'mixed_p40_d100kv1000') return [prefill(0, 40), ...decodes(100, 1000)];
  const sc = ref.scenarios[name];
  if (!sc) throw new Error(`no scenario ${name}`);
  const batch = sc.prefill.map(([p, n]) => prefill(p, n));
  const d = sc.decode_kv;
  if (typeof d === 'string') {
    const same = /^(\d+) requests? (?:with ProgressIndex|at) (\d+)$/.exec(d);
    const mixed = /^1 request at (\d+) \+ (\d+) requests at (\d+)$/.exec(d);
    if (same) batch.push(...decodes(Number(same[1]), Number(same[2])));
    else if (mixed) batch.push(decode(Number(mixed[1])), ...decodes(Number(mixed[2]), Number(mixed[3])));
    else throw new Error(`unparsed decode description '${d}'`);
  }
  return batch;
}

/**
 * Roofline-v1 built from `cfg` on every v0.6.1 reference row: the rows it does not reproduce
 * exactly (or whose GPU resolves to the calibrated variant), and how many rows were checked.
 */
export function v1ReferenceMisses(ref: RooflineReference, cfg: HardwareConfig) {
  const misses: string[] = [];
  for (const [model, gpu, tp, scenario, want] of ref['v1_v0.6.1'].rows) {
    const { params, calibration } = v1Params(findGpu(cfg, gpu));
    const got = new RooflineV1Model(referenceArch(model), params, tp).stepTime(scenarioBatch(ref, scenario));
    if (calibration !== undefined || got !== want) {
      misses.push(
        `${model} ${gpu} ${tp} ${scenario}: ${got} µs, want ${want}${calibration ? ' (calibrated)' : ''}`,
      );
    }
  }
  return { rows: ref['v1_v0.6.1'].rows.length, misses };
}

/**
 * A model small enough to price by hand (not in shared/): one layer, d 1024, 8 heads of 128
 * (no grouping), MLP 4096, 16-bit: 2^24 weights, 2^25 GEMM FLOPs and 4096 KV bytes per token.
 */
export const HAND_ARCH: ModelArch = parseModelConfig(
  {
    architectures: ['LlamaForCausalLM'],
    num_hidden_layers: 1,
    hidden_size: 1024,
    num_attention_heads: 8,
    num_key_value_heads: 8,
    intermediate_size: 4096,
    vocab_size: 32000,
    torch_dtype: 'bfloat16',
  },
  'hand-made config.json',
  'tiny',
);
