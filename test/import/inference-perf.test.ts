import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { sharedJson } from '../support/shared.ts';
import { copySample, folder, importPath, numericMismatches, SAMPLES } from './helpers.ts';

const IP = join(SAMPLES, 'inference-perf');
const training = readdirSync(IP).filter((d) => d.startsWith('training-'));

interface Shipped {
  experiment_name: string;
  stages: Record<string, unknown>[];
  summary: Record<string, unknown>;
  measured_token_stats: unknown;
  flags: unknown;
}

describe('import inference-perf: the raw runs behind the shipped ground truth', () => {
  const shipped = new Map(
    sharedJson<{ experiments: Shipped[] }>('data/ground_truth/dev.json').experiments.map((e) => [
      e.experiment_name,
      e,
    ]),
  );

  it('finds the four training runs', () => expect(training).toHaveLength(4));

  for (const dir of training) {
    it(`reproduces ${dir}'s measured values to 1e-6`, () => {
      const name = dir.replace(/^training-/, '');
      const { format, experiments } = importPath(join(IP, dir), { hardware: 'H100', name });
      expect(format).toBe('inference-perf');
      expect(experiments).toHaveLength(1);
      const x = experiments[0]!.json as unknown as Shipped & Record<string, unknown>;
      const gt = shipped.get(name)!;
      expect(x.stages).toHaveLength(gt.stages.length);
      const values = {
        stages: gt.stages,
        summary: gt.summary,
        measured_token_stats: gt.measured_token_stats,
        flags: gt.flags,
      };
      expect(numericMismatches(x, values)).toEqual([]);
      // Read from exp-config.yaml and results/config.yaml, not the submitted profile.
      expect(x.model).toBe('meta-llama/Llama-2-7b-hf');
      expect(x.vllm_config).toMatchObject({
        tensor_parallelism: 1,
        max_num_seqs: 128,
        max_num_batched_tokens: 2048,
        max_model_len: 4096,
      });
      const wc = x.workload_config as {
        resolved_by_inference_perf: { shared_prefix: { num_groups: number } };
      };
      expect(wc.resolved_by_inference_perf.shared_prefix.num_groups).toBe(10);
      expect(x.provenance).toContainEqual({ field: 'model', file: `${dir}/exp-config.yaml`, key: 'model' });
      expect(x.provenance).toContainEqual({ field: 'hardware', flag: '--hardware' });
      // The output loads as ground truth and replays the executed workload, with the measured lengths.
      const [e] = parseGroundTruth({ experiments: [x] }, 'gt.json');
      expect(e!.workloadForm).toBe('measured');
      expect(parseGroundTruth({ experiments: [x] }, 'gt.json', 'executed')[0]!.workloadForm).toBe('resolved');
      expect(e!.engine.totalKvBlocks).toBeNull();
    });
  }

  it('keeps inference-perf’s own ITL apart (about half the ground truth’s)', () => {
    const x = importPath(join(IP, training[0]!), { hardware: 'H100' }).experiments[0]!.json;
    const s = x.summary as Record<string, number>;
    expect(s.ip_inter_token_latency_mean_ms! / s.itl_mean_ms!).toBeLessThan(0.6);
  });

  it('replays a client held back by its workers as a closed loop at the requested rates (kubecon sweep)', () => {
    const x = importPath(join(IP, 'kubecon-vllm'), { hardware: 'H100' }).experiments[0]!.json;
    expect(x.model).toBe('meta-llama/Llama-3.1-8B-Instruct'); // the server's manifest, not the client's template
    expect(x.vllm_config).toMatchObject({
      tensor_parallelism: 1,
      max_num_seqs: 128,
      max_model_len: 512,
      gpu_memory_utilization: 0.9,
      enable_chunked_prefill: false,
      enable_prefix_caching: false,
    });
    const stages = x.stages as { requested_rate: number; achieved_rate: number }[];
    expect(stages).toHaveLength(7);
    // 44 workers × 10 requests each: at most 440 in flight, which held the top stages back.
    const wc = x.workload_config as {
      max_concurrency: number;
      resolved_by_inference_perf: { stages: { rate: number; duration: number }[] };
    };
    expect(wc.max_concurrency).toBe(440);
    expect(wc.resolved_by_inference_perf.stages.map((s) => s.rate)).toEqual(
      stages.map((s) => s.requested_rate),
    );
    expect(stages[4]!.achieved_rate).toBeLessThan(0.9 * stages[4]!.requested_rate);
    expect((x.flags as { overloaded: boolean }).overloaded).toBe(true);
    const [e] = parseGroundTruth({ experiments: [x] }, 'gt.json');
    expect(e!.replays[0]!.points).toHaveLength(8);
    expect(e!.replays[0]!.client).toEqual({ maxConcurrency: 440, paced: true });
    expect(e!.engine).toMatchObject({ chunkedPrefill: false, prefixCaching: false });
  });

  it('without the worker limit, replays a stage the client could not drive at its achieved rate', () => {
    const dir = copySample('inference-perf/kubecon-vllm', {
      'config.yaml': (c) => c.replace(/\n {2}num_workers: 44\n/, '\n'),
    });
    const x = importPath(dir, { hardware: 'H100' }).experiments[0]!.json;
    const stages = x.stages as { requested_rate: number; achieved_rate: number }[];
    const wc = x.workload_config as Record<string, unknown> & {
      resolved_by_inference_perf: { stages: { rate: number }[] };
    };
    expect(wc.max_concurrency).toBeUndefined();
    const replay = wc.resolved_by_inference_perf.stages;
    expect(replay[1]!.rate).toBe(31.4);
    expect(replay[4]!.rate).toBeCloseTo(stages[4]!.achieved_rate, 9);
  });

  it('names the missing field and its flag', () => {
    expect(() => importPath(join(IP, training[0]!))).toThrow(
      /hardware: not stated in the files; pass --hardware/,
    );
    const dir = folder(
      { 'results/summary_lifecycle_metrics.json': lifecycle(5, 0), 'results/config.yaml': CONFIG },
      'no-server',
    );
    expect(() => importPath(dir, { hardware: 'H100', model: 'm' })).toThrow(
      /tensor_parallelism: .*pass --tp/,
    );
  });

  it('reads the KV cache size from a vLLM log beside the results', () => {
    const dir = folder({
      'results/summary_lifecycle_metrics.json': lifecycle(5, 0),
      'results/stage_0_lifecycle_metrics.json': lifecycle(5, 0),
      'results/config.yaml': CONFIG,
      'vllm.log':
        "INFO 02-17 15:50:01 [utils.py:233] non-default args: {'model': 'meta-llama/Llama-2-7b-hf', 'max_num_seqs': 128, 'block_size': 16}\nINFO [kv_cache_utils.py:1087] GPU KV cache size: 119,408 tokens\n",
    });
    const x = importPath(dir, { hardware: 'H100' }).experiments[0]!.json;
    expect(x.total_kv_blocks).toBe(7463);
    expect(x.model).toBe('meta-llama/Llama-2-7b-hf');
    expect(x.vllm_config).toMatchObject({ tensor_parallelism: 1, max_num_seqs: 128 });
    expect(x.kv_blocks_source).toMatch(/run\/vllm.log: "GPU KV cache size: 119408 tokens" \/ block size 16/);
  });

  it('skips a stage whose every request failed, with the reason', () => {
    const dir = folder({
      'results/summary_lifecycle_metrics.json': lifecycle(5, 3),
      'results/stage_0_lifecycle_metrics.json': lifecycle(5, 0),
      'results/stage_1_lifecycle_metrics.json': lifecycle(0, 3),
      'results/config.yaml': CONFIG,
    });
    const x = importPath(dir, { hardware: 'H100', model: 'm', tp: 1 }).experiments[0]!.json;
    const stages = x.stages as Record<string, unknown>[];
    expect(stages[1]!.skipped).toBe('every request of stage 1 failed (3 failures)');
    expect(stages[1]!.ttft_mean_ms).toBeUndefined();
    expect(parseGroundTruth({ experiments: [x] }, 'gt.json')[0]!.replays[0]!.points.map((p) => p.id)).toEqual(
      ['summary', 'stage-0'],
    );
  });

  it('refuses a run where every request failed (exit 2, never a crash)', () => {
    const dir = folder({
      'results/summary_lifecycle_metrics.json': lifecycle(0, 7),
      'results/config.yaml': CONFIG,
    });
    expect(() => importPath(dir, { hardware: 'H100', model: 'm', tp: 1 })).toThrow(InputError);
    expect(() => importPath(dir, { hardware: 'H100', model: 'm', tp: 1 })).toThrow(
      /every request failed \(7 failures\)/,
    );
  });

  it('leaves out missing percentiles rather than inventing them', () => {
    const j = lifecycle(5, 0) as { successes: { latency: { time_to_first_token: Record<string, number> } } };
    delete j.successes.latency.time_to_first_token.p99;
    const dir = folder({ 'results/summary_lifecycle_metrics.json': j, 'results/config.yaml': CONFIG });
    const s = importPath(dir, { hardware: 'H100', model: 'm', tp: 1 }).experiments[0]!.json.summary as Record<
      string,
      number
    >;
    expect(s.ttft_p99_ms).toBeUndefined();
    expect(s.ttft_p90_ms).toBeCloseTo(30, 9);
  });
});

describe('import inference-perf: Poisson load', () => {
  const codegen = `inference-perf/${training.find((d) => d.endsWith('codegen'))}`;
  const poisson = (type: string) =>
    copySample(codegen, { 'results/config.yaml': (c) => c.replace('type: constant', `type: ${type}`) });

  it('replays a Poisson run with drawn arrivals at the stage rates, and says so', () => {
    const x = importPath(poisson('poisson'), { hardware: 'H100' }).experiments[0]!.json;
    const wc = x.workload_config as { resolved_by_inference_perf: { load_type: string } };
    expect(wc.resolved_by_inference_perf.load_type).toBe('poisson');
    expect(x.provenance).toContainEqual(
      expect.objectContaining({ key: 'load.type', note: expect.stringMatching(/draws Poisson arrivals/) }),
    );
    const [e] = parseGroundTruth({ experiments: [x] }, 'gt.json');
    expect(e!.workloadForm).toBe('measured');
    expect(e!.replayNote).toMatch(/^arrivals drawn \(Poisson at the stage rates\), not the run’s own/);
    const w = e!.replays[0]!.workload;
    expect(w.kind === 'measured' && w.spec.load_type).toBe('poisson');
  });

  it('refuses a load type it cannot replay from the summary, naming the file and the field', () => {
    expect(() => importPath(poisson('concurrent'), { hardware: 'H100' })).toThrow(
      /results\/config.yaml: load.type: 'concurrent': a staged replay needs constant or poisson load/,
    );
  });
});

describe('import inference-perf: per-request files (both layouts)', () => {
  const base =
    'derived-inference-perf/training-replay-20260217-155451-llama-2-7b-tp1-codegen/20260217-155451-llama-2-7b-tp1-codegen';
  const spec = sharedJson<{
    requests: { arrival_time_us: number; input_tokens: number; output_tokens: number; has_error: boolean }[];
  }>(`data/import_samples/${base}.json`);
  const truth = sharedJson<{ e2e_s: number; ttft_s: number }[]>(
    `data/import_samples/${base}_ground_truth.json`,
  );
  const n = 400;
  const records = (layout: 'old' | 'new') =>
    spec.requests.slice(0, n).map((r, i) => {
      const start = 1000 + r.arrival_time_us / 1e6;
      const times = [start + truth[i]!.ttft_s, start + truth[i]!.e2e_s];
      const info =
        layout === 'old'
          ? { input_tokens: r.input_tokens, output_tokens: r.output_tokens, output_token_times: times }
          : {
              request_metrics: { text: { input_tokens: r.input_tokens } },
              response_metrics: { output_tokens: r.output_tokens, output_token_times: times },
            };
      return {
        start_time: start,
        end_time: start + truth[i]!.e2e_s,
        request: '{}',
        response: '',
        info,
        error: null,
      };
    });

  for (const layout of ['old', 'new'] as const) {
    it(`keeps the exact request stream (${layout} layout) and replays it`, () => {
      const dir = folder({
        'results/summary_lifecycle_metrics.json': lifecycle(5, 0),
        'results/stage_0_lifecycle_metrics.json': lifecycle(5, 0),
        'results/config.yaml': CONFIG,
        'results/per_request_lifecycle_metrics.json': records(layout),
      });
      const x = importPath(dir, { hardware: 'H100', model: 'm', tp: 1 }).experiments[0]!;
      expect(x.traces).toHaveLength(1);
      const rows = x.traces[0]!.rows;
      expect(rows).toHaveLength(n);
      rows.forEach((row, i) => {
        expect(row.inputTokens).toBe(spec.requests[i]!.input_tokens);
        expect(row.outputTokens).toBe(spec.requests[i]!.output_tokens);
        expect(row.ttftMs).toBeCloseTo(truth[i]!.ttft_s * 1000, 6);
        expect(row.e2eMs).toBeCloseTo(truth[i]!.e2e_s * 1000, 6);
        expect(row.startS - rows[0]!.startS).toBeCloseTo(spec.requests[i]!.arrival_time_us / 1e6, 6);
      });
      expect(x.json.experiment_name).toBe('m inference-perf rate=5');
      expect((x.json.workload_config as { trace: string }).trace).toBe(
        'gt.traces/m_inference-perf_rate_5/run.csv.gz',
      );
      const rowsOf = () =>
        rows.map((r) => ({
          arrivalUs: 0,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          stage: r.stage ?? 0,
        }));
      const [e] = parseGroundTruth({ experiments: [x.json] }, 'gt.json', 'executed', () => rowsOf());
      expect(e!.workloadForm).toBe('trace');
      expect(
        parseGroundTruth({ experiments: [x.json] }, 'gt.json', 'profile', () => rowsOf())[0]!.workloadForm,
      ).not.toBe('trace');
    });
  }

  it('with ignore_eos replays the trace as the server ran it: output_len generated, the counts as the client’s', () => {
    const dir = folder({
      'results/summary_lifecycle_metrics.json': lifecycle(5, 0),
      'results/stage_0_lifecycle_metrics.json': lifecycle(5, 0),
      'results/config.yaml': `${CONFIG}server:\n  ignore_eos: true\n`,
      'results/per_request_lifecycle_metrics.json': records('old'),
    });
    const x = importPath(dir, { hardware: 'H100', model: 'm', tp: 1 }).experiments[0]!;
    const counted = x.traces[0]!.rows.map((r) => r.outputTokens);
    const rows = x.traces[0]!.rows.map((r) => ({
      arrivalUs: 0,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
    }));
    const [e] = parseGroundTruth({ experiments: [x.json] }, 'gt.json', 'measured', () => rows);
    const replay = e!.replays[0]!;
    expect(
      replay.workload.kind === 'trace' && new Set(replay.workload.rows.map((r) => r.outputTokens)),
    ).toEqual(new Set([30]));
    expect(replay.clientOutput).toBeCloseTo(counted.reduce((a, b) => a + b, 0) / counted.length, 9);
  });

  it('names the request whose token counts are missing', () => {
    const bad = records('old');
    (bad[3]!.info as Record<string, unknown>).output_tokens = undefined;
    const dir = folder({
      'results/summary_lifecycle_metrics.json': lifecycle(5, 0),
      'results/config.yaml': CONFIG,
      'results/per_request_lifecycle_metrics.json': bad,
    });
    expect(() => importPath(dir, { hardware: 'H100', model: 'm', tp: 1 })).toThrow(
      /per_request_lifecycle_metrics.json: \[3\].info/,
    );
  });
});

const CONFIG = `data:
  type: shared_prefix
  shared_prefix: {num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 10, question_len: 20, output_len: 30}
load:
  type: constant
  stages:
  - {rate: 5.0, duration: 60}
  - {rate: 8.0, duration: 60}
`;

/** A lifecycle metrics file in seconds: TTFT 20..40 ms, E2E 1..2 s. */
function lifecycle(ok: number, failed: number): Record<string, unknown> {
  const dist = (lo: number, hi: number) => ({
    mean: (lo + hi) / 2,
    min: lo,
    p10: lo,
    median: (lo + hi) / 2,
    p90: hi * 0.75,
    p95: hi * 0.8,
    p99: hi * 0.9,
    max: hi,
  });
  return {
    load_summary: { count: ok + failed, requested_rate: 5, achieved_rate: 5, send_duration: 60 },
    successes: {
      count: ok,
      latency:
        ok === 0
          ? { request_latency: null, time_to_first_token: null }
          : {
              request_latency: dist(1, 2),
              time_to_first_token: dist(0.02, 0.04),
              inter_token_latency: dist(0.001, 0.01),
              time_per_output_token: dist(0.002, 0.02),
            },
      // Constant lengths (dist's p90 = 0.75·hi would put p90 below the median).
      prompt_len: ok === 0 ? null : { mean: 30, min: 30, p10: 30, median: 30, p90: 30, max: 30 },
      output_len: ok === 0 ? null : { mean: 30, min: 30, p10: 30, median: 30, p90: 30, max: 30 },
      throughput: { requests_per_sec: 5 },
    },
    failures: { count: failed, request_latency: null, prompt_len: null },
  };
}
