import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchDefaults } from '../../src/import/vllm-defaults.ts';
import { importPath, SAMPLES } from './helpers.ts';

const limits = (version: string, key: string, memoryGiB: number) => {
  const d = batchDefaults(version, { key, memoryGiB });
  return d && [d.maxNumSeqs, d.maxNumBatchedTokens];
};

describe("vLLM's default batch limits by version and GPU", () => {
  it('from 0.9: large non-A100 GPUs get 1024 / 8192, A100s and small GPUs 256 / 2048', () => {
    expect(limits('0.11.0', 'H100', 80)).toEqual([1024, 8192]);
    expect(limits('v0.13.0', 'H200', 141)).toEqual([1024, 8192]);
    expect(limits('0.11.0', 'A100-80GB', 80)).toEqual([256, 2048]);
    expect(limits('0.18.0', 'RTX4090', 24)).toEqual([256, 2048]);
    expect(limits('0.10.1.1', 'L40S', 48)).toEqual([256, 2048]);
  });

  it('0.8: only where the rules before and after 0.9 agree (under 70 GiB); V0 and unreadable versions get none', () => {
    expect(limits('0.8.3', 'A100-40GB', 40)).toEqual([256, 2048]);
    expect(limits('0.8.3', 'H100', 80)).toBeUndefined();
    expect(limits('0.8.3', 'A100-80GB', 80)).toBeUndefined();
    expect(limits('0.6.3', 'RTX4090', 24)).toBeUndefined();
    expect(limits('main', 'H100', 80)).toBeUndefined();
  });

  it('the importer fills unstated limits from --vllm-version and the GPU, saying so; stated ones stay', () => {
    const tq = join(SAMPLES, 'vllm-bench', 'turboquant-exp029-llama31-8b-baseline-rtx4090');
    const x = importPath(tq, { hardware: 'RTX4090', tp: 1, vllmVersion: '0.18.0', gpuMemoryGiB: 24 })
      .experiments[0]!;
    expect(x.json.vllm_config).toMatchObject({
      vllm_version: '0.18.0',
      max_num_seqs: 256,
      max_num_batched_tokens: 2048,
      gpu_memory_utilization: 0.85, // stated by the launcher's summary: kept
    });
    expect(x.json.provenance).toContainEqual({
      field: 'vllm_config.max_num_seqs',
      note: "not stated: vLLM 0.18.0's default for the OpenAI API server on RTX4090 (< 70 GiB; vllm/engine/arg_utils.py)",
    });
    expect(x.json.provenance).toContainEqual({ field: 'vllm_config.vllm_version', flag: '--vllm-version' });
    const plain = importPath(tq, { hardware: 'RTX4090', tp: 1 }).experiments[0]!;
    expect(plain.json.vllm_config).toMatchObject({ max_num_seqs: null, max_num_batched_tokens: null });
  });
});
