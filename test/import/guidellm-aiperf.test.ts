import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { folder, importPath, SAMPLES } from './helpers.ts';

type Point = Record<string, unknown>;
const qwen = join(SAMPLES, 'guidellm', 'guidellm-bench-qwen3-4b-thinking-tp2-fp8');

describe('import guidellm', () => {
  it('schema v1 (0.5): request records, the vLLM server log beside it (KV cache, args)', () => {
    const { format, experiments } = importPath(qwen, { hardware: 'H100' });
    expect(format).toBe('guidellm');
    const x = experiments[0]!;
    expect(x.json.model).toBe('Qwen/Qwen3-4B-Thinking-2507');
    expect(x.json.vllm_config).toMatchObject({
      tensor_parallelism: 2,
      max_model_len: 16384,
      max_num_batched_tokens: 8192,
    });
    expect(x.json.block_size).toBe(64);
    expect(x.json.total_kv_blocks).toBe(Math.floor(265920 / 64));
    expect(x.json.precision).toBe('fp8');
    expect(x.traces).toHaveLength(1);
    expect(x.traces[0]!.rows).toHaveLength(30);
    const p = (x.json.qps_sweeps as Point[])[0]!;
    expect(p.guidellm_strategy).toBe('synchronous');
    // request_latency is in seconds, TTFT in ms: both end up in ms.
    expect(p.e2e_mean_ms as number).toBeGreaterThan(15000);
    expect(p.ttft_mean_ms as number).toBeLessThan(300);
    expect(x.json.provenance).toContainEqual(
      expect.objectContaining({
        field: 'vllm_config.tensor_parallelism',
        key: 'non-default args.tensor_parallel_size',
      }),
    );
  });

  it('a flag overrides the file and says so in provenance', () => {
    const x = importPath(qwen, { hardware: 'H100', tp: 4 }).experiments[0]!.json;
    expect(x.vllm_config).toMatchObject({ tensor_parallelism: 4 });
    expect(x.provenance).toContainEqual({
      field: 'vllm_config.tensor_parallelism',
      flag: '--tp',
      note: 'overrides guidellm-bench-qwen3-4b-thinking-tp2-fp8/logs/Qwen_Qwen3-4B-Thinking-2507_tp2_quant-fp8_server.log: non-default args.tensor_parallel_size = 2',
    });
  });

  it('schema v2 (0.8) without request samples: summary metrics and a distribution replay', () => {
    const dir = join(SAMPLES, 'guidellm', 'llmd-benchmark-fixture-v2-mockserver');
    const x = importPath(dir, { hardware: 'H100', tp: 1 }).experiments[0]!;
    expect(x.json.model).toBe('e2e-mock-model');
    expect(x.traces).toHaveLength(0);
    const ps = x.json.qps_sweeps as Point[];
    expect(ps.map((p) => p.qps)).toEqual([2, 4]);
    expect(ps[0]!.ttft_mean_ms).toBeCloseTo(11.481165885925293, 9);
    expect(ps[0]!.e2e_mean_ms).toBeCloseTo(19.78909969329834, 9);
    expect(parseGroundTruth({ experiments: [x.json] }, 'gt.json')[0]!.workloadForm).toBe('distribution');
  });
});

describe('import AIPerf', () => {
  const dir = join(SAMPLES, 'aiperf', 'aiperf-examples-run1');

  it('per-request records (failed ones counted, not replayed) and the aggregate', () => {
    const { format, experiments } = importPath(dir, { hardware: 'H100', tp: 1 });
    expect(format).toBe('aiperf');
    const x = experiments[0]!;
    expect(x.json.model).toBe('openai/gpt-oss-20b');
    const p = (x.json.qps_sweeps as Point[])[0]!;
    expect(p).toMatchObject({ num_requests: 89, num_failures: 11, num_sent: 100 });
    expect(x.traces[0]!.rows).toHaveLength(89);
    // AIPerf's aggregate is over the same 89 requests: the means agree.
    const agg = JSON.parse(readFileSync(join(dir, 'profile_export_aiperf.json'), 'utf8')).records;
    expect(p.ttft_mean_ms).toBeCloseTo(agg.ttft.avg, 6);
    expect(p.e2e_mean_ms).toBeCloseTo(agg.request_latency.avg, 6);
  });

  it('converts units it is given (ns, s) to ms', () => {
    const rec = (i: number, err: unknown = null) =>
      JSON.stringify({
        metadata: { timestamp_ns: 1e18 + i * 1e9 },
        metrics: {
          input_sequence_length: { value: 50, unit: 'tokens' },
          output_sequence_length: { value: 11, unit: 'tokens' },
          ttft: { value: 2e8, unit: 'ns' },
          request_latency: { value: 1.2, unit: 's' },
        },
        error: err,
      });
    const d = folder({ 'profile_export.jsonl': [rec(0), rec(1), rec(2, { code: 499 })].join('\n') });
    const p = (
      importPath(d, { hardware: 'H100', tp: 1, model: 'm' }).experiments[0]!.json.qps_sweeps as Point[]
    )[0]!;
    expect(p).toMatchObject({ ttft_mean_ms: 200, e2e_mean_ms: 1200, itl_mean_ms: 100, num_failures: 1 });
  });

  it('names the model flag when nothing says the model', () => {
    const d = folder({
      'profile_export.jsonl': '{"metadata":{"timestamp_ns":1},"metrics":{},"error":null}\n',
    });
    expect(() => importPath(d, { hardware: 'H100', tp: 1 })).toThrow(
      /model: not stated in the files; pass --model/,
    );
  });
});

describe('import guidellm: older and sparser records', () => {
  it('reads a report without metadata, and times from the request timings when the derived fields are absent', () => {
    const dist = (mean: number) => ({
      successful: { mean, count: 2, percentiles: { p50: mean, p90: mean, p99: mean } },
    });
    const req = (start: number) => ({
      prompt_tokens: 40,
      output_tokens: 9,
      info: {
        timings: { request_start: start, first_token_iteration: start + 0.05, request_end: start + 0.45 },
      },
    });
    const report = {
      benchmarks: [
        {
          config: { strategy: { type_: 'poisson', rate: 3 } },
          worker: { backend_model: 'meta-llama/Llama-3.1-8B-Instruct' },
          metrics: {
            request_totals: { successful: 2, errored: 0, incomplete: 0 },
            time_to_first_token_ms: dist(50),
            request_latency: dist(0.45),
            output_token_count: dist(9),
            prompt_token_count: dist(40),
          },
          requests: { successful: [req(100), req(100.5)], errored: [] },
        },
      ],
    };
    const x = importPath(folder({ 'report.json': report }), { hardware: 'H100', tp: 1 }, 'guidellm')
      .experiments[0]!;
    expect(x.json.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    const p = (x.json.qps_sweeps as Point[])[0]!;
    expect(p.qps).toBe(3);
    expect(p.ttft_mean_ms).toBeCloseTo(50, 6);
    expect(p.e2e_mean_ms).toBeCloseTo(450, 6);
    expect(p.itl_mean_ms).toBeCloseTo(50, 6);
    expect(x.traces[0]!.rows.map((r) => r.startS)).toEqual([100, 100.5]);
  });
});
