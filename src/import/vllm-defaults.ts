/**
 * vLLM's batch limits when the server's arguments leave them out. They are not constants:
 * the V1 engine (default from 0.8) picks them by GPU in `EngineArgs` (vllm/engine/arg_utils.py,
 * the OpenAI API server's usage context). From 0.9 (PR #17885, which keeps A100s on the small
 * values because the large ones cost them throughput):
 *
 *   GPU memory >= 70 GiB and not an A100 → max_num_batched_tokens 8192, max_num_seqs 1024
 *   otherwise                             → max_num_batched_tokens 2048, max_num_seqs 256
 *
 * Before 0.9 the A100 exception did not exist and the large-GPU values changed between
 * releases; the V0 engine's budget followed max_model_len and chunked prefill. Those cases get
 * no default here (the evaluator's own defaults apply and the report says so), except where
 * both rules agree: a V1 engine on a GPU under 70 GiB.
 */

import { atLeast, versionOf } from '../groundtruth/vllm-version.ts';

export interface BatchDefaults {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** Why, for provenance. */
  note: string;
}

/** The limits vLLM `version` chose on `gpu` (canonical name, memory), when known. */
export function batchDefaults(
  version: string,
  gpu: { key: string; memoryGiB: number },
): BatchDefaults | undefined {
  const v = versionOf(version);
  if (!v || !atLeast(v, 0, 8)) return undefined;
  const large = gpu.memoryGiB >= 70;
  const a100 = /^a100/i.test(gpu.key);
  if (large && !atLeast(v, 0, 9)) return undefined;
  const big = large && !a100;
  const why = big
    ? `>= 70 GiB and not an A100`
    : large
      ? 'an A100 (kept on the small values since vLLM 0.9)'
      : '< 70 GiB';
  return {
    maxNumSeqs: big ? 1024 : 256,
    maxNumBatchedTokens: big ? 8192 : 2048,
    note: `not stated: vLLM ${version}'s default for the OpenAI API server on ${gpu.key} (${why}; vllm/engine/arg_utils.py)`,
  };
}
