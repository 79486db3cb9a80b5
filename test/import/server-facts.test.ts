import { describe, expect, it } from 'vitest';
import { factsFromArgs, factsFromVllmLog } from '../../src/import/server-facts.ts';

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

describe('server arguments', () => {
  it('reads -tp, the short form of --tensor-parallel-size (as in `vllm serve m -tp 8`)', () => {
    const f = factsFromArgs(['vllm', 'serve', 'zai-org/GLM-4.5-Air', '-tp', '4'], 'page.md');
    expect(f.model?.value).toBe('zai-org/GLM-4.5-Air');
    expect(f.tp).toEqual({ value: 4, file: 'page.md', key: '-tp' });
    expect(factsFromArgs(['vllm', 'serve', 'm', '-tp=2'], 'x').tp?.value).toBe(2);
  });
});

describe('async scheduling as the server was started', () => {
  it('reads the flag, its negation and the log’s non-default args; unstated stays unstated', () => {
    expect(factsFromArgs(['vllm', 'serve', 'm', '--async-scheduling'], 'x').asyncScheduling).toEqual({
      value: true,
      file: 'x',
      key: '--async-scheduling',
    });
    expect(factsFromArgs(['--no-async-scheduling'], 'x').asyncScheduling?.value).toBe(false);
    expect(
      log("INFO non-default args: {'model': 'm', 'async_scheduling': True}\n").asyncScheduling?.value,
    ).toBe(true);
    expect(factsFromArgs(['vllm', 'serve', 'm'], 'x').asyncScheduling).toBeUndefined();
  });
});
