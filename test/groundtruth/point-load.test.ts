import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';

const data = {
  prefix_tokens: 0,
  prompt_tokens: 100,
  prompt_tokens_stdev: 0,
  prompt_tokens_min: 100,
  prompt_tokens_max: 100,
  output_tokens: 50,
  output_tokens_stdev: 0,
  output_tokens_min: 50,
  output_tokens_max: 50,
};
const vllm = { tensor_parallelism: 1 };
const m = { ttft_mean_ms: 30, e2e_mean_ms: 400 };

const loadsOf = (raw: Record<string, unknown>) =>
  parseGroundTruth({ experiments: [raw] }, 'gt.json')[0]!.replays.flatMap((r) =>
    r.points.map((p) => [p.id, p.load ?? null, p.failedFraction ?? null]),
  );

describe('the planned load of each measured point', () => {
  it('reads a stage rate, else the executed profile stage rate; a one-stage run lends it its failures', () => {
    const shared = {
      num_groups: 1,
      num_prompts_per_group: 1,
      system_prompt_len: 10,
      question_len: 10,
      output_len: 5,
    };
    const workload_config = {
      type: 'inference_perf_shared_prefix',
      resolved_by_inference_perf: {
        shared_prefix: shared,
        load_type: 'constant',
        stages: [
          { rate: 2, duration: 5 },
          { rate: 4, duration: 5 },
        ],
      },
    };
    expect(
      loadsOf({
        experiment_name: 'two',
        model: 'm',
        vllm_config: vllm,
        workload_config,
        stages: [
          { stage_index: 0, rate: 2, ...m, num_failures: 1, num_sent: 10 },
          { stage_index: 1, ...m },
        ],
        summary: m,
      }),
    ).toEqual([
      ['summary', null, null],
      ['stage-0', { kind: 'rate', value: 2 }, 0.1],
      ['stage-1', { kind: 'rate', value: 4 }, null],
    ]);
    expect(
      loadsOf({
        experiment_name: 'one',
        model: 'm',
        vllm_config: vllm,
        workload_config: {
          ...workload_config,
          resolved_by_inference_perf: {
            ...workload_config.resolved_by_inference_perf,
            stages: [{ rate: 4, duration: 5 }],
          },
        },
        stages: [{ stage_index: 0, rate: 4, ...m }],
        summary: { ...m, num_requests: 15, num_failures: 85, num_sent: 100 },
      }),
    ).toEqual([
      ['summary', null, null],
      ['stage-0', { kind: 'rate', value: 4 }, 0.85],
    ]);
  });

  it('reads a qps point: its requested rate, a bare qps, a client limit without a rate; a burst has none', () => {
    expect(
      loadsOf({
        experiment_name: 'sweep',
        model: 'm',
        vllm_config: vllm,
        workload_config: { max_requests: 10, data },
        qps_sweeps: [
          { qps: 5, ...m },
          { qps: 8, requested_rate: 7.5, ...m, num_failures: 0, num_requests: 10 },
          { qps: 1e6, requested_rate: 'inf', max_concurrency: 16, ...m },
          { qps: 2e6, requested_rate: 'inf', ...m },
          { qps: 3e6, ...m },
        ],
      }),
    ).toEqual([
      ['qps-5', { kind: 'rate', value: 5 }, null],
      ['qps-8', { kind: 'rate', value: 7.5 }, 0],
      ['qps-1000000', { kind: 'concurrency', value: 16 }, null],
      ['qps-2000000', null, null],
      ['qps-3000000', null, null],
    ]);
  });
});
