import { InputError } from '../errors.ts';
import { kvBytesPerTokenPerGpu, type ModelArch, weightBytesPerGpu } from './arch.ts';

/**
 * GPU KV-cache blocks when a run does not give them (ours; BLIS v0.6.1 takes them from
 * defaults.yaml or the flag, BLIS main derives them similarly):
 *
 *   budget      = MemoryGiB · 2^30 · gpu_memory_utilization          (default 0.9)
 *   weights     = (linear params · weight bytes + embeddings · torch_dtype bytes) / TP
 *   activations = 1.5 GiB  (CUDA context, CUDA graphs, NCCL and allocator slack)
 *               + max_num_batched_tokens · B · (4·hidden + 2·intermediate/TP)
 *                 (residual stream, QKV/attention output and the gate/up product of one
 *                 profiling forward pass)
 *   blocks      = floor((budget − weights − activations) / (block_size · KV bytes per token per GPU))
 *
 * KV bytes per token per GPU = 2 · layers · max(1, KV heads / TP) · head_dim · B (an MLA
 * latent: layers · latent · B). On the dev set's H100 runs this lands within about 1 % of
 * the block counts vLLM logged (e.g. Llama-3.1-70B TP 4, 8192 batched tokens: 30254 vs 30251).
 */
export interface KvBlocksInput {
  readonly arch: ModelArch;
  readonly tp: number;
  /** GPU memory in GiB (hardware_config MemoryGiB). */
  readonly memoryGiB: number;
  readonly blockSize?: number;
  readonly gpuMemoryUtilization?: number;
  readonly maxNumBatchedTokens?: number;
}

export interface KvBlocksResult {
  readonly blocks: number;
  readonly budgetBytes: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly bytesPerBlock: number;
}

const GIB = 2 ** 30;
export const ACTIVATION_FIXED_BYTES = 1.5 * GIB;

export function deriveKvBlocks(input: KvBlocksInput): KvBlocksResult {
  const { arch, tp, memoryGiB } = input;
  const blockSize = input.blockSize ?? 16;
  const util = input.gpuMemoryUtilization ?? 0.9;
  const tokens = input.maxNumBatchedTokens ?? 2048;
  const where = `KV blocks for ${arch.name}`;
  if (!(memoryGiB > 0)) throw new InputError(`${where}: GPU memory (MemoryGiB) must be > 0`);
  if (!(util > 0 && util <= 1)) throw new InputError(`${where}: gpu_memory_utilization must be in (0, 1]`);
  if (!(Number.isInteger(blockSize) && blockSize > 0))
    throw new InputError(`${where}: block size must be > 0`);
  if (!(Number.isInteger(tp) && tp > 0)) throw new InputError(`${where}: TP must be a positive integer`);
  const budgetBytes = memoryGiB * GIB * util;
  const weightBytes = weightBytesPerGpu(arch, tp);
  const activationBytes =
    ACTIVATION_FIXED_BYTES +
    tokens * arch.bytesPerParam * (4 * arch.hiddenSize + (2 * arch.intermediateSize) / tp);
  const bytesPerBlock = blockSize * kvBytesPerTokenPerGpu(arch, tp);
  const free = budgetBytes - weightBytes - activationBytes;
  if (!(free > 0)) {
    throw new InputError(
      `${where}: weights (${(weightBytes / GIB).toFixed(1)} GiB per GPU) and activations do not fit in ` +
        `${(budgetBytes / GIB).toFixed(1)} GiB at TP ${tp}`,
    );
  }
  return {
    blocks: Math.floor(free / bytesPerBlock),
    budgetBytes,
    weightBytes,
    activationBytes,
    bytesPerBlock,
  };
}
