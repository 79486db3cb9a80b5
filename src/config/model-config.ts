import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors.ts';
import type { ModelArch, MoeArch } from '../latency/arch.ts';
import { attentionWindow, unmodelledFeatures, unmodelledMessage } from '../latency/arch-features.ts';
import { type Fields, intField, optionalInt, weightFormat } from './model-fields.ts';

/**
 * HuggingFace config.json → ModelArch (reference §10, plus MoE and quantisation).
 * BLIS's reading rules: text_config merged over the top level; numbers truncated to int;
 * num_key_value_heads 0 or absent → heads; intermediate_size 0 → 4·hidden; bytes per
 * parameter from torch_dtype (v2 also reads `dtype`, `num_kv_heads`, `multi_query_group_num`,
 * `ffn_hidden_size`). Unlike BLIS, a missing required field or an unknown architecture is an
 * error naming the file and field.
 */
type Family = 'dense' | 'mixtral' | 'qwen-moe' | 'llama4' | 'deepseek';

const ARCHITECTURES: Record<string, Family> = {
  LlamaForCausalLM: 'dense',
  MistralForCausalLM: 'dense',
  Mistral3ForConditionalGeneration: 'dense',
  Qwen2ForCausalLM: 'dense',
  Qwen3ForCausalLM: 'dense',
  YiForCausalLM: 'dense',
  Gemma2ForCausalLM: 'dense',
  Gemma3ForCausalLM: 'dense',
  Gemma3ForConditionalGeneration: 'dense',
  Phi3ForCausalLM: 'dense',
  GraniteForCausalLM: 'dense',
  Glm4ForCausalLM: 'dense',
  MixtralForCausalLM: 'mixtral',
  PhiMoEForCausalLM: 'mixtral',
  GraniteMoeForCausalLM: 'mixtral',
  GptOssForCausalLM: 'mixtral',
  Qwen2MoeForCausalLM: 'qwen-moe',
  Qwen3MoeForCausalLM: 'qwen-moe',
  Llama4ForConditionalGeneration: 'llama4',
  Llama4ForCausalLM: 'llama4',
  DeepseekV2ForCausalLM: 'deepseek',
  DeepseekV3ForCausalLM: 'deepseek',
  Glm4MoeForCausalLM: 'deepseek',
  GlmMoeDsaForCausalLM: 'deepseek',
};
const MODEL_TYPES: Record<string, Family> = {
  llama: 'dense',
  mistral: 'dense',
  mistral3: 'dense',
  qwen2: 'dense',
  qwen3: 'dense',
  yi: 'dense',
  gemma2: 'dense',
  gemma3: 'dense',
  gemma3_text: 'dense',
  phi3: 'dense',
  granite: 'dense',
  glm4: 'dense',
  mixtral: 'mixtral',
  phimoe: 'mixtral',
  granitemoe: 'mixtral',
  gpt_oss: 'mixtral',
  qwen2_moe: 'qwen-moe',
  qwen3_moe: 'qwen-moe',
  llama4: 'llama4',
  llama4_text: 'llama4',
  deepseek_v2: 'deepseek',
  deepseek_v3: 'deepseek',
  glm4_moe: 'deepseek',
};

/** The folder name a model id maps to: its last path segment, lower-cased. */
export function modelFolderName(model: string): string {
  return (model.split('/').pop() ?? model).toLowerCase();
}

/** Where an experiment's model config is read: its own (file or --model-config), else the root of model folders. */
export function modelConfigSource(x: { readonly modelConfig?: string | undefined }, root: string): string {
  return x.modelConfig ?? root;
}

export function parseModelConfig(json: unknown, source: string, name: string): ModelArch {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${source}: expected a JSON object`);
  }
  const top = json as Fields;
  const text = top.text_config;
  const f: Fields = typeof text === 'object' && text !== null ? { ...top, ...(text as Fields) } : top;
  const archs = Array.isArray(top.architectures) ? top.architectures : f.architectures;
  const archName = Array.isArray(archs) && typeof archs[0] === 'string' ? archs[0] : undefined;
  const modelType = typeof top.model_type === 'string' ? top.model_type : undefined;
  if (archName === undefined && modelType === undefined) {
    throw new InputError(`${source}: missing field 'architectures' (or 'model_type')`);
  }
  const family =
    (archName !== undefined ? ARCHITECTURES[archName] : undefined) ?? MODEL_TYPES[modelType ?? ''];
  // What the latency models cannot represent is the refusal that matters, whatever else
  // the file lacks (an architecture outside the table, a field such a model does not give).
  const unmodelled = unmodelledFeatures(f);
  const refusal = unmodelled.length > 0 ? unmodelledMessage(source, name, unmodelled) : undefined;
  if (refusal !== undefined && (family === undefined || unmodelled.some((x) => x.changesKvCache))) {
    throw new InputError(refusal);
  }
  if (family === undefined) {
    throw new InputError(
      `${source}: unsupported architecture '${archName ?? modelType}' (supported: ${Object.keys(ARCHITECTURES).join(', ')})`,
    );
  }
  try {
    return archOf(f, source, name, family, archName ?? modelType ?? '', refusal);
  } catch (e) {
    throw refusal !== undefined && e instanceof InputError ? new InputError(refusal) : e;
  }
}

function archOf(
  f: Fields,
  source: string,
  name: string,
  family: Family,
  architecture: string,
  refusal: string | undefined,
): ModelArch {
  const L = intField(f, source, ['num_hidden_layers']);
  const d = intField(f, source, ['hidden_size']);
  const H = intField(f, source, ['num_attention_heads']);
  const kv = optionalInt(f, source, ['num_key_value_heads', 'num_kv_heads', 'multi_query_group_num']) ?? 0;
  const rawFf = intField(f, source, ['intermediate_size', 'ffn_hidden_size'], { allowZero: true });
  const ff = rawFf === 0 ? 4 * d : rawFf;
  const vocab = intField(f, source, ['vocab_size']);
  const blisHead = Math.trunc(d / H);
  const headField = optionalInt(f, source, ['head_dim']) ?? 0;
  const w = weightFormat(f, source, name);
  const moe = moeOf(family, f, source, L, ff);
  const denseFf = family === 'llama4' ? (optionalInt(f, source, ['intermediate_size_mlp']) ?? ff) : ff;
  const latent = family === 'deepseek' ? optionalInt(f, source, ['kv_lora_rank']) : undefined;
  const window = attentionWindow(f);
  const arch: ModelArch = {
    name,
    architecture,
    numLayers: L,
    hiddenSize: d,
    numHeads: H,
    numKVHeads: kv > 0 ? kv : H,
    headDim: headField > 0 ? headField : blisHead,
    headDimDiffers: headField > 0 && headField !== blisHead,
    intermediateSize: denseFf,
    vocabSize: vocab,
    tieWordEmbeddings: f.tie_word_embeddings === true,
    bytesPerParam: w.bytesPerParam,
    weightBytesPerParam: w.weightBytesPerParam,
    fp8Weights: w.fp8,
    ...(w.expertWeightBytesPerParam !== undefined && {
      expertWeightBytesPerParam: w.expertWeightBytesPerParam,
    }),
    ...(moe && { moe }),
    ...(latent !== undefined && {
      kvLatentDim: latent + (optionalInt(f, source, ['qk_rope_head_dim']) ?? 0),
    }),
    ...(refusal !== undefined && { refusal }),
    ...(window && { attentionWindow: window }),
  };
  return arch;
}

function moeOf(family: Family, f: Fields, source: string, L: number, ff: number): MoeArch | undefined {
  const layers = (isMoe: (i: number) => boolean) => {
    let n = 0;
    for (let i = 0; i < L; i++) if (isMoe(i)) n++;
    return n;
  };
  switch (family) {
    case 'dense':
      return undefined;
    case 'mixtral':
      return {
        numExperts: intField(f, source, ['num_local_experts']),
        topK: intField(f, source, ['num_experts_per_tok']),
        expertIntermediateSize: ff,
        sharedExperts: 0,
        sharedIntermediateSize: 0,
        moeLayers: L,
      };
    case 'qwen-moe': {
      const step = optionalInt(f, source, ['decoder_sparse_step']) ?? 1;
      const only = Array.isArray(f.mlp_only_layers) ? (f.mlp_only_layers as unknown[]) : [];
      const shared = optionalInt(f, source, ['shared_expert_intermediate_size']) ?? 0;
      return {
        numExperts: intField(f, source, ['num_experts']),
        topK: intField(f, source, ['num_experts_per_tok']),
        expertIntermediateSize: intField(f, source, ['moe_intermediate_size']),
        sharedExperts: shared > 0 ? 1 : 0,
        sharedIntermediateSize: shared,
        moeLayers: layers((i) => !only.includes(i) && step > 0 && (i + 1) % step === 0),
      };
    }
    case 'llama4': {
      const step = optionalInt(f, source, ['interleave_moe_layer_step']) ?? 1;
      const listed = Array.isArray(f.moe_layers) ? (f.moe_layers as unknown[]) : undefined;
      return {
        numExperts: intField(f, source, ['num_local_experts']),
        topK: intField(f, source, ['num_experts_per_tok']),
        expertIntermediateSize: ff,
        sharedExperts: 1,
        sharedIntermediateSize: ff,
        moeLayers: listed ? listed.length : layers((i) => step > 0 && (i + 1) % step === 0),
      };
    }
    case 'deepseek': {
      const firstDense = optionalInt(f, source, ['first_k_dense_replace']) ?? 0;
      const freq = optionalInt(f, source, ['moe_layer_freq']) ?? 1;
      const width = intField(f, source, ['moe_intermediate_size']);
      return {
        numExperts: intField(f, source, ['n_routed_experts']),
        topK: intField(f, source, ['num_experts_per_tok']),
        expertIntermediateSize: width,
        sharedExperts: optionalInt(f, source, ['n_shared_experts']) ?? 0,
        sharedIntermediateSize: width,
        moeLayers: layers((i) => i >= firstDense && i % freq === 0),
      };
    }
  }
}

/**
 * Reads a model's config.json. `path` may be the file, the model's folder (BLIS's
 * --model-config-folder), or a folder of model folders, in which case `model`
 * (e.g. "meta-llama/Llama-3.1-8B-Instruct") picks `<path>/llama-3.1-8b-instruct/config.json`.
 */
export function loadModelConfig(path: string, model?: string): ModelArch {
  const { json, file, name } = readModelConfigJson(path, model);
  return parseModelConfig(json, file, name);
}

/** The parsed config.json that `path` and `model` name (as loadModelConfig finds it), its file and the model's name. */
export function readModelConfigJson(
  path: string,
  model?: string,
): { json: unknown; file: string; name: string } {
  let file = path;
  if (existsSync(path) && statSync(path).isDirectory()) {
    file = join(path, 'config.json');
    if (!existsSync(file) && model !== undefined) file = join(path, modelFolderName(model), 'config.json');
  }
  if (!existsSync(file)) {
    throw new InputError(`model config: ${file} not found${model ? ` (model ${model})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: invalid JSON (${(err as Error).message})`);
  }
  const name = model ?? basename(file === path ? join(path, '..') : join(file, '..'));
  return { json, file, name };
}
