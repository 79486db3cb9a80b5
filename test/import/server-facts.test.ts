import { describe, expect, it } from 'vitest';
import { factsFromVllmLog } from '../../src/import/server-facts.ts';

const log = (text: string) => factsFromVllmLog({ rel: 'vllm.log', text: () => text });

describe("a vLLM log's non-default args", () => {
  it('reads past a dict value to the matching brace', () => {
    const f = log(
      "INFO non-default args: {'model': 'm/a', 'compilation_config': {'level': 3}, 'tensor_parallel_size': 2}\n",
    );
    expect(f.model?.value).toBe('m/a');
    expect(f.tp).toMatchObject({ value: 2, key: 'non-default args.tensor_parallel_size' });
  });

  it('reads a line a terminal wrapped mid-word', () => {
    const f = log(
      "INFO non-default args: {'model': 'Qwe\nn2-7B-Instruct', 'max_model_len': 16384}\nINFO next\n",
    );
    expect(f.model?.value).toBe('Qwen2-7B-Instruct');
    expect(f.maxModelLen?.value).toBe(16384);
    // No tensor_parallel_size among the full non-default args: vLLM's default.
    expect(f.tp).toMatchObject({ value: 1, isDefault: true });
  });
});
