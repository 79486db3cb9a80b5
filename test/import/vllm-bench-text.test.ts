import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { REPO } from '../support/cli.ts';
import { sharedJson } from '../support/shared.ts';
import { folder, importPath, SAMPLES } from './helpers.ts';

const FIX = join(REPO, 'test', 'fixtures', 'import', 'vllm-bench-text');
type Point = Record<string, unknown>;
const pointsOf = (x: { json: Record<string, unknown> }) => x.json.qps_sweeps as Point[];

/** vLLM's console block for a result JSON, printed as benchmark_serving.py does ("{:<40} {:<10.2f}"). */
function printBlock(j: Record<string, number>, extra: [string, string][] = []): string {
  const row = (label: string, v: number | string) =>
    `${label.padEnd(40)} ${(typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v)).padEnd(10)}`;
  const lines = [
    '============ Serving Benchmark Result ============',
    ...extra.map(([l, v]) => row(l, v)),
    ...(
      [
        ['Successful requests:', 'completed'],
        ['Benchmark duration (s):', 'duration'],
        ['Total input tokens:', 'total_input_tokens'],
        ['Total generated tokens:', 'total_output_tokens'],
        ['Request throughput (req/s):', 'request_throughput'],
        ['Mean TTFT (ms):', 'mean_ttft_ms'],
        ['Median TTFT (ms):', 'median_ttft_ms'],
        ['P99 TTFT (ms):', 'p99_ttft_ms'],
        ['Mean TPOT (ms):', 'mean_tpot_ms'],
        ['Mean E2EL (ms):', 'mean_e2el_ms'],
        ['Median E2EL (ms):', 'median_e2el_ms'],
        ['P99 E2EL (ms):', 'p99_e2el_ms'],
      ] as const
    ).flatMap(([label, key]) => (j[key] === undefined ? [] : [row(label, j[key])])),
    '='.repeat(50),
  ];
  return `${lines.join('\n')}\n`;
}

describe('import printed vllm bench results: real texts', () => {
  it('reads the vLLM docs example: model and dataset from the command, metrics from the block', () => {
    const { format, experiments } = importPath(join(FIX, 'vllm-docs'), { hardware: 'H100' });
    expect(format).toBe('vllm-bench-text');
    expect(experiments).toHaveLength(1);
    const x = experiments[0]!;
    expect(x.json).toMatchObject({
      experiment_name: 'Hermes-3-Llama-3.1-8B vllm-bench rate=inf n=10',
      model: 'NousResearch/Hermes-3-Llama-3.1-8B',
      // `vllm serve <model>` with no --tensor-parallel-size: vLLM's default.
      vllm_config: { tensor_parallelism: 1 },
      workload_config: { client: 'vllm bench serve', backend: 'vllm', dataset_name: 'sharegpt' },
    });
    const [p] = pointsOf(x);
    // No --request-rate: the client's default inf, every request at once.
    expect(p).toMatchObject({ requested_rate: 'inf', num_requests: 10, num_sent: 10, num_failures: 0 });
    expect(p).toMatchObject({ ttft_mean_ms: 71.54, ttft_p50_ms: 73.88, ttft_p99_ms: 79.49 });
    // No E2EL printed (the default percentile metrics): ITL is the client's mean TPOT.
    expect(p!.itl_mean_ms).toBe(7.91);
    expect(p!.e2e_mean_ms).toBeUndefined();
    // Mean lengths from the printed totals: 1369 / 10 and 2212 / 10 tokens.
    expect(p!.data).toMatchObject({ prompt_tokens: 137, output_tokens: 221 });
    expect(x.json.provenance).toContainEqual({
      field: 'model',
      file: 'vllm-docs/cli.md',
      key: 'line 17: --model',
    });
  });

  it('reads a README of ten bursts with the server log beside it (KV cache, vLLM version)', () => {
    const { experiments } = importPath(join(FIX, 'dennislee-qwen2-7b-a100'), { hardware: 'A100-80GB' });
    // All at rate inf: one experiment per burst size, named by it.
    expect(experiments.map((x) => x.json.experiment_name)).toEqual(
      [1, 10, 20, 30, 50, 75, 100, 200, 500, 1000].map((n) => `Qwen2-7B-Instruct vllm-bench rate=inf n=${n}`),
    );
    const x = experiments[9]!;
    expect(x.json).toMatchObject({
      model: 'Qwen2-7B-Instruct',
      // 464,848 tokens / 16; the log's non-default args line wraps mid-word and still reads.
      total_kv_blocks: 29053,
      vllm_config: {
        tensor_parallelism: 1,
        gpu_memory_utilization: 0.5,
        max_model_len: 16384,
        vllm_version: '0.10.1.1',
      },
      workload_config: {
        client: 'benchmark_serving.py',
        dataset_name: 'random',
        input_len: 1024,
        output_len: 1024,
      },
    });
    const [p] = pointsOf(x);
    // The older client prints no failures: 924 of --num-prompts 1000 succeeded.
    expect(p).toMatchObject({
      num_requests: 924,
      num_sent: 1000,
      num_failures: 76,
      requested_rate: 'inf',
      qps: 1e6,
    });
    const total = readdirSync(join(FIX, 'dennislee-qwen2-7b-a100')).length;
    expect(total).toBe(2);
  });

  it('reads a commented console log: settings printed above each block, repeated runs apart', () => {
    const { experiments } = importPath(join(FIX, 'yiliu30-pp-local'), {
      hardware: 'H100',
      model: 'm/x',
      tp: 1,
    });
    expect(experiments.map((x) => x.json.experiment_name)).toEqual([
      'x vllm-bench c=32',
      'x vllm-bench c=32 (yiliu30-pp-local-run2)',
    ]);
    const ps = experiments.map((x) => pointsOf(x)[0]!);
    expect(ps.map((p) => p.max_concurrency)).toEqual([32, 32]);
    expect(ps.map((p) => p.burstiness)).toEqual([1, 1]);
    expect(ps.map((p) => p.ttft_mean_ms)).toEqual([7279.56, 6535.45]);
    expect(experiments[0]!.json.provenance).toContainEqual({
      field: 'qps_sweeps (c32).max_concurrency',
      file: 'yiliu30-pp-local/pp_local_test_res.txt',
      key: 'line 3',
      note: 'printed above the block',
    });
  });

  it('the imported experiments load as ground truth (distribution replays)', () => {
    for (const dir of ['vllm-docs', 'dennislee-qwen2-7b-a100']) {
      const { experiments } = importPath(join(FIX, dir), { hardware: 'H100' });
      const gt = parseGroundTruth({ experiments: experiments.map((x) => x.json) }, 'gt.json');
      expect(gt.every((e) => e.workloadForm === 'distribution')).toBe(true);
    }
  });
});

describe('import printed vllm bench results: a page comparing engines (GPUStack performance lab)', () => {
  const page = join(FIX, 'gpustack-qwen3-32b-h100', 'h100.md');
  const { experiments } = importPath(page, { hardware: 'H100' });
  const all = experiments.flatMap(pointsOf);
  const prov = experiments.flatMap((x) => x.json.provenance as Point[]);

  it("reads the blocks indented in the page's admonitions, vLLM's only", () => {
    // 13 blocks: 5 under `vllm serve`, 8 under SGLang's or TensorRT-LLM's server.
    expect(all).toHaveLength(5);
    expect(experiments.every((x) => x.json.model === 'Qwen/Qwen3-32B')).toBe(true);
    const left = prov.filter((p) => p.field === 'left out');
    expect(left).toHaveLength(8);
    expect(left[0]).toEqual({
      field: 'left out',
      file: 'h100.md',
      key: 'line 122',
      note: 'served by sglang.launch_server (line 117): not a vLLM run',
    });
    expect(left.filter((p) => /trtllm-serve/.test(String(p.note)))).toHaveLength(6);
  });

  it('gives a block the command listed at the top of the page only when the block can be its run', () => {
    const byPrompt = new Map(all.map((p) => [(p.data as Record<string, number>).prompt_tokens, p]));
    // Random 4K (500 prompts of 4000 in / 200 out): the listed command's run.
    expect(byPrompt.get(3996)!.num_requests).toBe(500);
    const four = experiments.find((x) => pointsOf(x)[0] === byPrompt.get(3996))!;
    expect(four.json.workload_config).toMatchObject({
      dataset_name: 'random',
      input_len: 4000,
      output_len: 200,
    });
    // Random 32K: 100 prompts of 32000 tokens are no run of `--random-input-len 4000 --num-prompts 500`.
    const k32 = experiments.find((x) => pointsOf(x)[0] === byPrompt.get(32000))!;
    expect(k32.json.workload_config).toMatchObject({ dataset_name: null, input_len: null });
    expect(byPrompt.get(32000)!.qps).toBe(1e6); // no command: the client default, every request at once
    expect(prov).toContainEqual(
      expect.objectContaining({
        key: 'line 74',
        note: expect.stringMatching(/--random-input-len 4000, the block a mean prompt of 32000 tokens/),
      }),
    );
    // The ShareGPT burst of 1000: more requests than the command's 500.
    expect(prov).toContainEqual(
      expect.objectContaining({ note: expect.stringMatching(/--num-prompts 500, the block 1000 requests/) }),
    );
  });
});

describe('import printed vllm bench results: the block carries what the result JSON does', () => {
  const dir = join(
    SAMPLES,
    'vllm-bench',
    readdirSync(join(SAMPLES, 'vllm-bench')).find((d) => d.startsWith('turboquant-'))!,
  );
  const file = readdirSync(dir).find((f) => f.includes('rate4'))!;
  const j = sharedJson<Record<string, number>>(
    `data/import_samples/vllm-bench/${dir.split('/').at(-1)}/${file}`,
  );

  it('a printed block imports as its JSON does under --summary-only, to the printing precision', () => {
    const fromJson = pointsOf(
      importPath(join(dir, file), { hardware: 'RTX4090', tp: 1, summaryOnly: true }).experiments[0]!,
    )[0]!;
    const text = `$ vllm bench serve --model meta-llama/Llama-3.1-8B-Instruct --request-rate 4 --num-prompts 100\n${printBlock(j)}`;
    const fromText = pointsOf(
      importPath(folder({ 'run.txt': text }), { hardware: 'RTX4090', tp: 1 }).experiments[0]!,
    )[0]!;
    const keys = [
      'qps',
      'num_requests',
      'num_sent',
      'ttft_mean_ms',
      'ttft_p50_ms',
      'ttft_p99_ms',
      'itl_mean_ms',
    ];
    for (const k of keys) expect(fromText[k], k).toBeCloseTo(fromJson[k] as number, 1);
    // The file has no E2EL (the client's default metrics): neither import makes one up.
    expect([fromText.e2e_mean_ms, fromJson.e2e_mean_ms]).toEqual([undefined, undefined]);
    expect(fromText.data).toEqual(fromJson.data);
  });
});

describe('import printed vllm bench results: variants', () => {
  const newer = [
    'vllm bench serve --model meta-llama/Llama-3.1-8B-Instruct --dataset-name random \\',
    '  --random-input-len 1000 --random-output-len 200 --random-range-ratio 0.5 --request-rate 2 --num-prompts 50',
    '============ Serving Benchmark Result ============',
    'Successful requests:                     48        ',
    'Failed requests:                         2         ',
    'Maximum request concurrency:             8         ',
    'Request rate configured (RPS):           2.00      ',
    'Benchmark duration (s):                  30.10     ',
    'Total input tokens:                      48960     ',
    'Total generated tokens:                  9600      ',
    'Request throughput (req/s):              1.59      ',
    'Peak output token throughput (tok/s):    610.00    ',
    '---------------Time to First Token----------------',
    'Mean TTFT (ms):                          80.10     ',
    'Median TTFT (ms):                        75.00     ',
    'P90 TTFT (ms):                           120.00    ',
    'P99 TTFT (ms):                           150.00    ',
    '----------------End-to-end Latency----------------',
    'Mean E2EL (ms):                          2070.10   ',
    'P90 E2EL (ms):                           2500.00   ',
    '==================================================',
  ].join('\n');

  it('newer clients: failures, concurrency, configured rate and chosen percentiles inside the block', () => {
    const x = importPath(folder({ 'bench.log': newer }), { hardware: 'H100', tp: 1 }).experiments[0]!;
    const [p] = pointsOf(x);
    expect(p).toMatchObject({
      qps: 2,
      max_concurrency: 8,
      num_sent: 50,
      num_requests: 48,
      num_failures: 2,
      ttft_p90_ms: 120,
      e2e_p90_ms: 2500,
    });
    // ITL = (E2E mean − TTFT mean) / (9600 / 48 − 1).
    expect(p!.itl_mean_ms).toBeCloseTo((2070.1 - 80.1) / 199, 9);
    // Range ratio 0.5 around 1000 ([500, 1500] since vLLM 0.9) holds the printed mean 1020.
    // Its uniform spread (289) is raised to the minimum, the least stdev BLIS v0.6.1 accepts.
    expect(p!.data).toMatchObject({
      prompt_tokens: 1020,
      prompt_tokens_min: 500,
      prompt_tokens_max: 1500,
      prompt_tokens_stdev: 500,
      output_tokens_min: 100,
      output_tokens_max: 300,
    });
    expect(x.json.workload_config).toMatchObject({ input_len: 1000, output_len: 200, range_ratio: 0.5 });
  });

  it('an older range ratio ([rL, L]) is taken when the printed mean sits in it', () => {
    const old = newer
      .replace('--random-range-ratio 0.5', '--random-range-ratio 0.8')
      .replace('48960', '43200');
    const [p] = pointsOf(
      importPath(folder({ 'bench.log': old }), { hardware: 'H100', tp: 1 }).experiments[0]!,
    );
    // Mean 900: nearer the middle of [800, 1000] than of [200, 1800].
    expect(p!.data).toMatchObject({ prompt_tokens: 900, prompt_tokens_min: 800, prompt_tokens_max: 1000 });
  });

  it("SGLang's block: its labels, the rate and backend inside, zeros left out", () => {
    const text = [
      'python3 -m sglang.bench_serving --backend sglang --model Qwen/Qwen3-14B --dataset-name random --random-input 512 --random-output 64',
      '============ Serving Benchmark Result ============',
      'Backend:                                 sglang    ',
      'Traffic request rate:                    4.0       ',
      'Max request concurrency:                 not set   ',
      'Successful requests:                     200       ',
      'Total input tokens:                      102400    ',
      'Total generated tokens:                  12800     ',
      '----------------End-to-End Latency----------------',
      'Mean E2E Latency (ms):                   900.50    ',
      'Median E2E Latency (ms):                 850.00    ',
      '---------------Time to First Token----------------',
      'Mean TTFT (ms):                          60.50     ',
      '---------------Inter-Token Latency----------------',
      'Mean ITL (ms):                           0.00      ',
      '==================================================',
    ].join('\n');
    const x = importPath(folder({ 'sglang.txt': text }), { hardware: 'H100', tp: 1 }).experiments[0]!;
    const [p] = pointsOf(x);
    expect(x.json.workload_config).toMatchObject({
      client: 'sglang.bench_serving',
      backend: 'sglang',
      input_len: 512,
    });
    expect(p).toMatchObject({ qps: 4, e2e_mean_ms: 900.5, e2e_p50_ms: 850, ttft_mean_ms: 60.5 });
    expect(p!.max_concurrency).toBeUndefined();
    expect(p!.vllm_bench_mean_itl_ms).toBeUndefined();
    expect(x.json.provenance).toContainEqual(
      expect.objectContaining({ field: 'qps_sweeps (rate-4).mean_itl_ms', note: 'printed 0: left out' }),
    );
  });

  it('a swept flag in the command (`--request-rate 1,2,4`) is no rate: the one printed above the block is', () => {
    const block = newer
      .split('\n')
      .slice(2)
      .join('\n')
      .replace(/Request rate configured.*\n/, '');
    const run = (above: string) =>
      importPath(
        folder({ 'sweep.log': `vllm bench serve --model a/b --request-rate 1,2,4\n${above}${block}` }),
        {
          hardware: 'H100',
          tp: 1,
        },
      ).experiments[0]!;
    expect(pointsOf(run('Traffic request rate: 2\n'))[0]).toMatchObject({ qps: 2, requested_rate: 2 });
    // Nothing printed either: the client's default, said so.
    expect(run('').json.provenance).toContainEqual({
      field: 'qps_sweeps (c8).request_rate',
      file: 'run/sweep.log',
      note: 'not stated: the client default, inf',
    });
  });

  it('several models and rates in one file: an experiment per model, a point per rate', () => {
    const run = (model: string, rate: number, ttft: number) =>
      `vllm bench serve --model ${model} --request-rate ${rate}\n${printBlock({ completed: 10, duration: 5, total_input_tokens: 1000, total_output_tokens: 500, request_throughput: 2, mean_ttft_ms: ttft, median_ttft_ms: ttft, p99_ttft_ms: ttft, mean_tpot_ms: 7, mean_e2el_ms: 400, median_e2el_ms: 400, p99_e2el_ms: 400 })}`;
    const text = [run('org/a', 1, 50), run('org/a', 4, 60), run('org/b', 1, 70)].join('\n');
    const xs = importPath(folder({ 'sweep.md': text }), { hardware: 'H100', tp: 1 }).experiments;
    expect(xs.map((x) => [x.json.experiment_name, x.json.model, pointsOf(x).map((p) => p.qps)])).toEqual([
      ['a vllm-bench rate=1,4', 'org/a', [1, 4]],
      ['b vllm-bench rate=1', 'org/b', [1]],
    ]);
  });

  it('a local model path: the tokenizer’s Hugging Face id, said in the provenance', () => {
    const text = `vllm bench serve --model /models/llama --tokenizer meta-llama/Llama-3.1-8B-Instruct\n${printBlock({ completed: 1, duration: 1, total_input_tokens: 10, total_output_tokens: 10, request_throughput: 1, mean_ttft_ms: 5, median_ttft_ms: 5, p99_ttft_ms: 5, mean_tpot_ms: 1, mean_e2el_ms: 14, median_e2el_ms: 14, p99_e2el_ms: 14 })}`;
    const x = importPath(folder({ 'r.txt': text }), { hardware: 'H100', tp: 1 }).experiments[0]!;
    expect(x.json.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(x.json.provenance).toContainEqual({
      field: 'model',
      file: 'run/r.txt',
      key: 'line 1: --tokenizer',
      note: '--model is a local path (/models/llama)',
    });
  });
});

describe('import printed vllm bench results: refusals name the file, line and field', () => {
  const block = (lines: string[]) =>
    ['============ Serving Benchmark Result ============', ...lines, '='.repeat(50)].join('\n');
  const refuse = (text: string) => () =>
    importPath(folder({ 'out.txt': text }), { hardware: 'H100', tp: 1, model: 'a/b' });

  it('a block without "Successful requests:"', () => {
    expect(refuse(block(['Mean TTFT (ms):   5.00']))).toThrow(
      'run/out.txt: line 1: Serving Benchmark Result block has no "Successful requests:" line',
    );
  });

  it('a value that is no number', () => {
    expect(refuse(block(['Successful requests:   10', 'Mean TTFT (ms):   fast']))).toThrow(
      `run/out.txt: line 3: "Mean TTFT (ms)": expected a number, got 'fast'`,
    );
  });

  it('a block without latencies', () => {
    expect(refuse(block(['Successful requests:   10', 'Request throughput (req/s):   2.00']))).toThrow(
      /run\/out.txt: line 1: .*no TTFT or E2EL line/,
    );
  });

  it('a model the text does not name needs --model', () => {
    const text = block([
      'Successful requests:   10',
      'Total input tokens:   100',
      'Total generated tokens:   100',
      'Mean TTFT (ms):   5.00',
    ]);
    expect(() => importPath(folder({ 'out.txt': text }), { hardware: 'H100', tp: 1 })).toThrow(
      'model: not stated in the files; pass --model <hf-id>',
    );
  });
});
