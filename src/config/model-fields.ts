import { InputError } from '../errors.ts';
import { MXFP4_BYTES_PER_PARAM } from '../latency/arch.ts';

/** Field readers for HF config.json, with errors naming the file and field. */
export type Fields = Readonly<Record<string, unknown>>;

/** The first of `names` present; numbers truncated to int as BLIS does. Missing → error. */
export function intField(
  f: Fields,
  source: string,
  names: readonly string[],
  opts: { allowZero?: boolean } = {},
): number {
  const v = optionalInt(f, source, names);
  if (v === undefined) throw new InputError(`${source}: missing field '${names[0]}'`);
  if (v < 0 || (v === 0 && !opts.allowZero))
    throw new InputError(`${source}: field '${names[0]}' must be > 0, got ${v}`);
  return v;
}

export function optionalInt(f: Fields, source: string, names: readonly string[]): number | undefined {
  for (const n of names) {
    const v = f[n];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(`${source}: field '${n}' must be a number, got ${JSON.stringify(v)}`);
    }
    return Math.trunc(v);
  }
  return undefined;
}

/** BLIS's torch_dtype → bytes per parameter (§10). */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  fp32: 4,
  float16: 2,
  fp16: 2,
  half: 2,
  bfloat16: 2,
  bf16: 2,
  int8: 1,
  uint8: 1,
  fp8: 1,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
  int4: 1,
  nf4: 1,
};

export interface WeightFormat {
  /** torch_dtype width: activations, KV cache, embeddings (BLIS's BytesPerParam). */
  readonly bytesPerParam: number;
  /** Linear-layer weight width. */
  readonly weightBytesPerParam: number;
  readonly fp8: boolean;
  /** Routed-expert weight width where it differs (MXFP4). */
  readonly expertWeightBytesPerParam?: number;
}

/**
 * Weight format from torch_dtype (or dtype) and quantization_config (or quantization). Ours
 * (BLIS v0.6.1 read torch_dtype only): FP8 checkpoints (quant_method fp8 / fbgemm_fp8,
 * compressed-tensors float-quantized or float 8-bit weights, modelopt FP8, or "fp8" in the
 * model name with no quantization config) have 1-byte weights; int8 → 1, 4-bit → 0.5.
 */
export function weightFormat(f: Fields, source: string, name: string): WeightFormat {
  const dtypeField = f.torch_dtype !== undefined ? 'torch_dtype' : 'dtype';
  const q = (f.quantization_config ?? f.quantization) as Fields | undefined;
  const method = String((typeof q === 'object' && q?.quant_method) || '').toLowerCase();
  // MXFP4 checkpoints (gpt-oss) name no dtype: vLLM's Mxfp4Config runs them in bfloat16,
  // its only activation dtype, with every module but the experts unquantised.
  const dtype = f[dtypeField] ?? (method === 'mxfp4' ? 'bfloat16' : undefined);
  if (dtype === undefined || dtype === null) throw new InputError(`${source}: missing field 'torch_dtype'`);
  if (typeof dtype !== 'string') throw new InputError(`${source}: field '${dtypeField}' must be a string`);
  const bytes = DTYPE_BYTES[dtype.toLowerCase()];
  if (bytes === undefined) {
    throw new InputError(`${source}: field '${dtypeField}' has unknown dtype '${dtype}'`);
  }
  const isFp8Dtype = /^(fp8|float8)/i.test(dtype);
  if (q === undefined || q === null || typeof q !== 'object') {
    const fp8 = isFp8Dtype || /fp8/i.test(name);
    return { bytesPerParam: bytes, weightBytesPerParam: fp8 ? 1 : bytes, fp8 };
  }
  const where = `${source}: quantization_config`;
  const result = (weightBytes: number, fp8: boolean): WeightFormat => ({
    bytesPerParam: bytes,
    weightBytesPerParam: weightBytes,
    fp8,
  });
  switch (method) {
    case 'fp8':
    case 'fbgemm_fp8':
      return result(1, true);
    case 'compressed-tensors': {
      const format = String(q.format ?? '').toLowerCase();
      const weights = firstGroupWeights(q);
      const bits = typeof weights?.num_bits === 'number' ? weights.num_bits : undefined;
      if (format === 'float-quantized' || (weights?.type === 'float' && bits === 8)) return result(1, true);
      if (bits !== undefined) return result(bits / 8, false);
      if (format === 'int-quantized') return result(1, false);
      if (format === 'pack-quantized') return result(0.5, false);
      throw new InputError(`${where}: cannot tell the weight width of compressed-tensors format '${format}'`);
    }
    case 'mxfp4':
      // Only the fused MoE experts are MXFP4 in vLLM (linear layers fall back to 16 bits).
      return { ...result(bytes, false), expertWeightBytesPerParam: MXFP4_BYTES_PER_PARAM };
    case 'gptq':
    case 'awq':
      return result((typeof q.bits === 'number' ? q.bits : 4) / 8, false);
    case 'bitsandbytes':
      return result(q.load_in_4bit === true ? 0.5 : 1, false);
    case 'modelopt': {
      const algo = String(q.quant_algo ?? '').toUpperCase();
      if (algo.includes('FP8')) return result(1, true);
      if (algo.includes('FP4') || algo.includes('INT4')) return result(0.5, false);
      throw new InputError(`${where}: unknown modelopt quant_algo '${algo}'`);
    }
    default:
      throw new InputError(`${where}: unsupported quant_method '${method}'`);
  }
}

function firstGroupWeights(q: Fields): Fields | undefined {
  const groups = q.config_groups;
  if (typeof groups !== 'object' || groups === null) return undefined;
  for (const g of Object.values(groups as Fields)) {
    const w = (g as Fields | null)?.weights;
    if (typeof w === 'object' && w !== null) return w as Fields;
  }
  return undefined;
}
