/**
 * The server part of an imported experiment: model, GPU, TP, vLLM limits and KV blocks,
 * from the files' facts with the flags on top; each value's source goes to provenance.
 * A required value still missing is an InputError naming the field and its flag.
 */
import { InputError } from '../errors.ts';
import { factsFromVllmLog, isVllmLog, mergeFacts } from './server-facts.ts';
import type { Bundle, Fact, ImportFlags, ServerFacts, SourceRef } from './types.ts';
import { batchDefaults } from './vllm-defaults.ts';

/** Facts from every vLLM log in the bundle (and the one `--vllm-log` names, first). */
export function logFacts(bundle: Bundle, flags: ImportFlags, under = ''): ServerFacts {
  const logs = bundle.files.filter((f) => f.rel.startsWith(under) && isVllmLog(f));
  return mergeFacts(...(flags.vllmLog ? [flags.vllmLog] : []).concat(logs).map(factsFromVllmLog));
}

function flagFacts(flags: ImportFlags): ServerFacts {
  const f = <T>(value: T | undefined, flag: string): Fact<T> | undefined =>
    value === undefined ? undefined : { value, flag };
  const out: ServerFacts = {};
  const model = f(flags.model, '--model');
  const hardware = f(flags.hardware, '--hardware');
  const tp = f(flags.tp, '--tp');
  const version = f(flags.vllmVersion, '--vllm-version');
  if (version) out.vllmVersion = version;
  const async = f(flags.asyncScheduling, '--async-scheduling');
  if (async) out.asyncScheduling = async;
  const kv = f(flags.totalKvBlocks, '--total-kv-blocks');
  if (model) out.model = model;
  if (hardware) out.hardware = hardware;
  if (tp) out.tp = tp;
  if (kv) out.totalKvBlocks = kv;
  return out;
}

const REQUIRED = [
  ['model', 'model', '--model <hf-id>'],
  ['hardware', 'hardware', '--hardware <gpu>'],
  ['tp', 'vllm_config.tensor_parallelism', '--tp <n>'],
] as const;

/** Ground-truth fields of the server, plus their provenance; flags win over the files. */
export function serverFields(
  fileFacts: ServerFacts,
  flags: ImportFlags,
  where: string,
): { fields: Record<string, unknown>; provenance: SourceRef[]; kvSource: string } {
  const given = flagFacts(flags);
  // A flag wins over the files; where they disagree, provenance keeps what the file said.
  for (const [k, fact] of Object.entries(given) as [keyof ServerFacts, Fact<unknown>][]) {
    const file = fileFacts[k];
    if (file && file.value !== fact.value && !file.isDefault)
      fact.note = `overrides ${file.file}: ${file.key} = ${String(file.value)}`;
  }
  const facts = mergeFacts(given, fileFacts);
  for (const [key, field, flag] of REQUIRED) {
    if (facts[key] === undefined)
      throw new InputError(`${where}: ${field}: not stated in the files; pass ${flag}`);
  }
  const batch =
    facts.vllmVersion && facts.hardware && flags.gpuMemoryGiB !== undefined
      ? batchDefaults(facts.vllmVersion.value, { key: facts.hardware.value, memoryGiB: flags.gpuMemoryGiB })
      : undefined;
  if (batch) {
    facts.maxNumSeqs ??= { value: batch.maxNumSeqs, note: batch.note };
    facts.maxNumBatchedTokens ??= { value: batch.maxNumBatchedTokens, note: batch.note };
  }
  const provenance: SourceRef[] = [];
  const take = <T>(field: string, fact: Fact<T> | undefined): T | null => {
    if (!fact) return null;
    provenance.push(sourceOf(field, fact));
    return fact.value;
  };
  const blockSize = take('block_size', facts.blockSize);
  let totalKvBlocks = take('total_kv_blocks', facts.totalKvBlocks);
  let kvSource: string;
  if (totalKvBlocks !== null) kvSource = `flag --total-kv-blocks`;
  else if (facts.kvTokens) {
    const size = blockSize ?? 16;
    totalKvBlocks = Math.floor(facts.kvTokens.value / size);
    kvSource = `${facts.kvTokens.file}: "GPU KV cache size: ${facts.kvTokens.value} tokens" / block size ${size}`;
    provenance.push({
      field: 'total_kv_blocks',
      file: facts.kvTokens.file!,
      key: 'GPU KV cache size',
      note: kvSource,
    });
  } else
    kvSource =
      'not in the files: derived from GPU memory at evaluation (pass --total-kv-blocks or --vllm-log)';
  const fields = {
    model: take('model', facts.model),
    hardware: take('hardware', facts.hardware),
    ...(facts.precision ? { precision: take('precision', facts.precision) } : {}),
    vllm_config: {
      tensor_parallelism: take('vllm_config.tensor_parallelism', facts.tp),
      max_num_seqs: take('vllm_config.max_num_seqs', facts.maxNumSeqs),
      max_num_batched_tokens: take('vllm_config.max_num_batched_tokens', facts.maxNumBatchedTokens),
      max_model_len: take('vllm_config.max_model_len', facts.maxModelLen),
      gpu_memory_utilization: take('vllm_config.gpu_memory_utilization', facts.gpuMemoryUtilization),
      vllm_version: take('vllm_config.vllm_version', facts.vllmVersion),
      enable_chunked_prefill: take('vllm_config.enable_chunked_prefill', facts.chunkedPrefill),
      enable_prefix_caching: take('vllm_config.enable_prefix_caching', facts.prefixCaching),
      async_scheduling: take('vllm_config.async_scheduling', facts.asyncScheduling),
    },
    total_kv_blocks: totalKvBlocks,
    block_size: blockSize,
    kv_blocks_source: kvSource,
  };
  return { fields, provenance, kvSource };
}

export function sourceOf(field: string, fact: Omit<Fact<unknown>, 'value'>): SourceRef {
  const ref: SourceRef = { field };
  if (fact.file !== undefined) ref.file = fact.file;
  if (fact.key !== undefined) ref.key = fact.key;
  if (fact.flag !== undefined) ref.flag = fact.flag;
  if (fact.note !== undefined) ref.note = fact.note;
  return ref;
}

/** Safe file-name part of an experiment or point name. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
