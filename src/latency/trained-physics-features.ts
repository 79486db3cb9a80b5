import { InputError } from '../errors.ts';
import { MXFP4_BYTES_PER_PARAM } from './arch.ts';
import {
  type AttentionWindow,
  attentionWindow,
  unmodelledFeatures,
  unmodelledMessage,
} from './arch-features.ts';

/**
 * BLIS v0.7.1 trained-physics: the model and hardware features it freezes at construction
 * (docs/latency-models.md, "trained-physics"), read from a HuggingFace config.json object.
 * Its own reading rules, not the roofline's ModelArch: head dim is hidden/heads with integer
 * division whatever `head_dim` says (Mistral-Nemo: 160, not 128), the expert count falls back
 * on other key names, intermediate_size 0 is an error, and the weight width comes from
 * quantization_config or the model name.
 */
export interface TrainedPhysicsFeatures {
  readonly numLayers: number;
  readonly hiddenDim: number;
  readonly numHeads: number;
  readonly numKVHeads: number;
  readonly headDim: number;
  /** KV heads · head dim. */
  readonly dKV: number;
  readonly dFFDense: number;
  readonly dFFMoE: number;
  /** Routed experts (0 or 1 = dense). */
  readonly numExperts: number;
  /** Experts per token, at least 1. */
  readonly kEff: number;
  readonly numMoELayers: number;
  readonly numDenseLayers: number;
  /** interleave_moe_layer_step > 0 on an MoE model: turns the β8 term on. */
  readonly interleavedMoE: boolean;
  /** Weight bytes per parameter (0 = unknown dtype). */
  readonly weightBPP: number;
  /** Ours: routed-expert weight bytes per parameter (MXFP4: 4.25 bits; else weightBPP). */
  readonly expertWeightBPP: number;
  /** Ours: sliding-window or chunked attention (latency/attention-window.ts). */
  readonly attentionWindow?: AttentionWindow;
}

export interface TrainedPhysicsHardware {
  readonly TFlopsPeak: number;
  readonly TFlopsFP8?: number;
  readonly BwPeakTBs: number;
}

type Fields = Readonly<Record<string, unknown>>;

function number(f: Fields, key: string, source: string): number {
  const v = f[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InputError(`${source}: field '${key}' must be a number, got ${JSON.stringify(v)}`);
  }
  return Math.trunc(v);
}

const firstPositive = (f: Fields, keys: readonly string[], source: string, above = 0): number => {
  for (const k of keys) {
    const v = number(f, k, source);
    if (v > above) return v;
  }
  return 0;
};

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  uint8: 1,
  fp8: 1,
  int4: 1,
  nf4: 1,
};

const isMxfp4 = (f: Fields): boolean =>
  (f.quantization_config as Fields | null | undefined)?.quant_method === 'mxfp4';

/**
 * Bytes per weight: quantization_config, then the model name, then torch_dtype (or `dtype`).
 * Ours: an MXFP4 checkpoint's non-expert weights are 16-bit (bfloat16 when it names no dtype,
 * as vLLM runs it); its experts are read by expertWeightBPP.
 */
export function weightBytesPerParam(f: Fields, name: string): number {
  if (isMxfp4(f)) return dtypeBytes(f) || 2;
  const fromQuant = quantBytes(f.quantization_config);
  if (fromQuant > 0) return fromQuant;
  const tokens = name.toLowerCase().split(/[^a-z0-9]+/);
  for (const t of tokens) {
    const m = /^w(\d+)a(\d+)$/.exec(t);
    if (m) return Number(m[1]) / 8;
  }
  if (tokens.includes('fp8')) return 1;
  return dtypeBytes(f);
}

function dtypeBytes(f: Fields): number {
  const dtype = f.torch_dtype ?? f.dtype;
  return typeof dtype === 'string' ? (DTYPE_BYTES[dtype] ?? 0) : 0;
}

function quantBytes(q: unknown): number {
  if (typeof q !== 'object' || q === null) return 0;
  const c = q as Fields;
  if (typeof c.bits === 'number' && c.bits > 0) return c.bits / 8;
  if (c.quant_method === 'fp8') return 1;
  if (c.quant_method !== 'compressed-tensors') return 0;
  const groups = c.config_groups;
  if (typeof groups !== 'object' || groups === null) return 0;
  for (const key of Object.keys(groups).sort()) {
    const w = ((groups as Fields)[key] as Fields | null)?.weights as Fields | undefined;
    if (typeof w?.num_bits === 'number' && w.num_bits > 0) return w.num_bits / 8;
  }
  return 0;
}

/**
 * The features of one model at tensor parallelism `tp`. `json` is the parsed config.json;
 * `name` (the model id) is read only for the weight-width fallback.
 */
export function trainedPhysicsFeatures(
  json: unknown,
  source: string,
  name: string,
  tp: number,
): TrainedPhysicsFeatures {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${source}: expected a JSON object`);
  }
  const top = json as Fields;
  const text = top.text_config;
  const f: Fields = typeof text === 'object' && text !== null ? { ...top, ...(text as Fields) } : top;
  const unmodelled = unmodelledFeatures(f);
  if (unmodelled.length > 0) throw new InputError(unmodelledMessage(source, name, unmodelled));
  const L = number(f, 'num_hidden_layers', source);
  const d = number(f, 'hidden_size', source);
  const H = number(f, 'num_attention_heads', source);
  const ff = firstPositive(f, ['intermediate_size', 'ffn_hidden_size'], source);
  for (const [key, v] of [
    ['num_hidden_layers', L],
    ['hidden_size', d],
    ['num_attention_heads', H],
    ['intermediate_size', ff],
  ] as const) {
    if (v <= 0) throw new InputError(`${source}: field '${key}' must be > 0 for trained-physics`);
  }
  const kvHeads =
    firstPositive(f, ['num_key_value_heads', 'num_kv_heads', 'multi_query_group_num'], source) || H;
  if (!Number.isInteger(tp) || tp <= 0)
    throw new InputError(`trained-physics: TP must be a positive integer, got ${tp}`);
  if (H % tp !== 0 || kvHeads % tp !== 0) {
    throw new InputError(
      `${source}: trained-physics needs attention heads (${H}) and KV heads (${kvHeads}) divisible by TP ${tp}`,
    );
  }
  const headDim = Math.trunc(d / H);
  let experts = number(f, 'num_local_experts', source);
  if (experts <= 1)
    experts =
      firstPositive(f, ['num_routed_experts', 'n_routed_experts', 'num_experts'], source, 1) || experts;
  const moe = experts > 1;
  const perTok = number(f, 'num_experts_per_tok', source);
  if (moe && perTok <= 0) throw new InputError(`${source}: MoE model needs field 'num_experts_per_tok' > 0`);
  const step = number(f, 'interleave_moe_layer_step', source);
  const interleaved = moe && step > 0;
  const nMoE = interleaved ? Math.floor(L / (step + 1)) : moe ? L : 0;
  const moeFf = number(f, 'moe_intermediate_size', source);
  const window = attentionWindow(f);
  const mlpFf = number(f, 'intermediate_size_mlp', source);
  const weightBPP = weightBytesPerParam(f, name);
  return {
    numLayers: L,
    hiddenDim: d,
    numHeads: H,
    numKVHeads: kvHeads,
    headDim,
    dKV: kvHeads * headDim,
    dFFDense: mlpFf > 0 ? mlpFf : ff,
    dFFMoE: moeFf > 0 ? moeFf : ff,
    numExperts: experts,
    kEff: Math.max(1, perTok),
    numMoELayers: nMoE,
    numDenseLayers: L - nMoE,
    interleavedMoE: interleaved,
    weightBPP,
    expertWeightBPP: isMxfp4(f) ? MXFP4_BYTES_PER_PARAM : weightBPP,
    ...(window && { attentionWindow: window }),
  };
}
