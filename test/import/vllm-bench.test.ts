import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { parseTraceRows } from '../../src/groundtruth/trace-file.ts';
import { traceCsv } from '../../src/import/output.ts';
import { sharedJson } from '../support/shared.ts';
import { folder, importPath, SAMPLES } from './helpers.ts';

const VB = join(SAMPLES, 'vllm-bench');
const tq = readdirSync(VB).find((d) => d.startsWith('turboquant-'))!;
const llmd = readdirSync(VB).find((d) => d.startsWith('llmd-'))!;

type Point = Record<string, unknown> & { trace?: string; qps?: number };

describe('import vllm bench: turboquant (--save-detailed, openai-chat)', () => {
  const { format, experiments } = importPath(join(VB, tq), { hardware: 'RTX4090', tp: 1 });
  const x = experiments[0]!;
  const points = x.json.qps_sweeps as Point[];

  it('is one experiment, a point per rate, each with its exact request stream', () => {
    expect(format).toBe('vllm-bench');
    expect(experiments).toHaveLength(1);
    expect(points.map((p) => p.requested_rate)).toEqual([1, 2, 4, 8, 16, 'inf']);
    expect(x.traces).toHaveLength(6);
    expect(points.every((p) => typeof p.trace === 'string' && p.trace.endsWith('.csv.gz'))).toBe(true);
    expect(points[5]!.qps).toBeUndefined(); // rate inf: no qps, the trace says when requests came
    expect(x.json.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    // The launcher's summary beside the results states the memory fraction and context length.
    expect(x.json.vllm_config).toMatchObject({ gpu_memory_utilization: 0.85, max_model_len: 4096 });
  });

  it('computes metrics in the ground truth’s definitions, close to the client’s own', () => {
    const raw = sharedJson<{ itls: number[][]; ttfts: number[]; mean_ttft_ms: number; mean_tpot_ms: number }>(
      `data/import_samples/vllm-bench/${tq}/experiment-029-llama-8b-baseline-L3-sweep-rate4-run1.json`,
    );
    const p = points[2]! as Record<string, number>;
    // TTFT gains the role chunk (~20 µs) of openai-chat; otherwise the client's figures.
    const roleChunk = raw.itls.reduce((a, g) => a + (g[0] ?? 0), 0) / raw.itls.length;
    expect(roleChunk).toBeLessThan(1e-4);
    expect(p.ttft_mean_ms).toBeCloseTo(raw.mean_ttft_ms + roleChunk * 1000, 6);
    // Equal output lengths: the client's TPOT mean is the ground truth's ITL, less the role chunk
    // (to 1 µs: the client's latency is end − start, ours TTFT + the sum of the gaps).
    expect(p.itl_mean_ms).toBeCloseTo(raw.mean_tpot_ms - (roleChunk * 1000) / 127, 3);
    const e2e = raw.ttfts.map((t, i) => (t + raw.itls[i]!.reduce((a, b) => a + b, 0)) * 1000);
    expect(p.e2e_mean_ms).toBeCloseTo(e2e.reduce((a, b) => a + b, 0) / e2e.length, 6);
    expect(x.json.provenance).toContainEqual(expect.objectContaining({ field: 'ttft', key: 'itls[0]' }));
  });

  it('writes traces the evaluator reads back exactly', () => {
    const t = x.traces[2]!;
    const rows = parseTraceRows(traceCsv(t.rows), 't.csv');
    expect(rows).toHaveLength(100);
    expect(rows[0]!.arrivalUs).toBe(0);
    expect(rows[1]!.arrivalUs).toBe(Math.round((t.rows[1]!.startS - t.rows[0]!.startS) * 1e6));
    expect(rows[1]!.ttftMs).toBeCloseTo(t.rows[1]!.ttftMs!, 5);
    expect(rows.every((r) => r.inputTokens === 511 && r.outputTokens === 128)).toBe(true);
  });

  it('--summary-only replays each run from its summary (rate inf as a burst)', () => {
    const s = importPath(join(VB, tq), { hardware: 'RTX4090', tp: 1, summaryOnly: true }).experiments[0]!;
    expect(s.traces).toHaveLength(0);
    const ps = s.json.qps_sweeps as Point[];
    expect(ps.every((p) => p.trace === undefined && p.data !== undefined)).toBe(true);
    expect(ps[5]!.qps).toBe(1e6);
    expect(ps[0]!.data).toMatchObject({ prompt_tokens: 511, prompt_tokens_min: 511, output_tokens: 128 });
    const [e] = parseGroundTruth({ experiments: [s.json] }, 'gt.json');
    expect(e!.workloadForm).toBe('distribution');
    expect(
      e!.replays.map((r) => r.workload.kind === 'distribution' && r.workload.params.numRequests),
    ).toEqual([100, 100, 100, 100, 100, 200]);
  });
});

describe('import vllm bench: older files and quirks', () => {
  it('reads benchmark_serving.py summaries without arrays; repeated rates become separate experiments', () => {
    const { experiments } = importPath(join(VB, llmd), { hardware: 'H100', tp: 1 });
    expect(experiments).toHaveLength(3);
    const p = (experiments[0]!.json.qps_sweeps as Point[])[0]! as Record<string, number>;
    expect(experiments[0]!.traces).toHaveLength(0);
    expect(p.qps).toBe(3.6);
    expect(p.ttft_p95_ms).toBeCloseTo(257.0488001947524, 9);
    expect(p.ttft_p90_ms).toBeUndefined(); // not recorded: left out
    expect(p.e2e_mean_ms).toBeUndefined();
    expect(p.itl_mean_ms).toBeCloseTo(16.170790800581987, 9); // TPOT mean when E2E is missing
    expect(parseGroundTruth({ experiments: experiments.map((e) => e.json) }, 'gt.json')).toHaveLength(3);
  });

  const bench = (o: Record<string, unknown>) => ({
    backend: 'vllm',
    model_id: 'meta-llama/Llama-3.1-8B-Instruct',
    request_rate: 2,
    completed: 2,
    failed: 0,
    total_input_tokens: 20,
    total_output_tokens: 8,
    mean_ttft_ms: 100,
    mean_e2el_ms: 400,
    ...o,
  });

  it('accepts the bare Infinity Python writes for --request-rate inf', () => {
    const dir = folder({
      'r.json': JSON.stringify(bench({})).replace('"request_rate":2', '"request_rate": Infinity'),
    });
    const p = (importPath(dir, { hardware: 'H100', tp: 1 }).experiments[0]!.json.qps_sweeps as Point[])[0]!;
    expect(p.requested_rate).toBe('inf');
    expect(p.qps).toBe(1e6);
    expect(p.itl_mean_ms).toBeCloseTo(100, 9); // (400 − 100) / (4 − 1)
  });

  it('does not fold the first ITL into TTFT for the completions backend', () => {
    const dir = folder({
      'r.json': bench({
        input_lens: [10, 10],
        output_lens: [3, 3],
        ttfts: [0.1, 0.2],
        itls: [
          [0.01, 0.02],
          [0.01, 0.03],
        ],
        start_times: [5, 5.5],
        errors: ['', ''],
      }),
    });
    const x = importPath(dir, { hardware: 'H100', tp: 1 }).experiments[0]!;
    expect(x.traces[0]!.rows.map((r) => r.ttftMs)).toEqual([100, 200]);
    expect(x.traces[0]!.rows[1]!.e2eMs).toBeCloseTo(240, 9);
  });

  it('skips a run where every request failed, and refuses a folder where all did', () => {
    const failed = bench({ request_rate: 8, completed: 0, failed: 5, mean_ttft_ms: 0 });
    const dir = folder({ 'a.json': bench({}), 'b.json': failed });
    const x = importPath(dir, { hardware: 'H100', tp: 1 }).experiments[0]!;
    expect((x.json.qps_sweeps as Point[]).map((p) => p.qps)).toEqual([2]);
    expect(x.json.skipped_points).toEqual(['run/b.json: every request failed (5 of 5): point skipped']);
    expect(() => importPath(folder({ 'b.json': failed }), { hardware: 'H100', tp: 1 })).toThrow(
      /every request of every run failed/,
    );
  });

  it('names the array whose length disagrees', () => {
    const dir = folder({
      'r.json': bench({
        input_lens: [1],
        output_lens: [3, 3],
        ttfts: [0.1, 0.2],
        itls: [[], []],
        start_times: [1, 2],
      }),
    });
    expect(() => importPath(dir, { hardware: 'H100', tp: 1 })).toThrow(
      /r.json: input_lens: 1 entries, ttfts has 2/,
    );
  });
});

describe('import vllm bench: arrays without start_times (benchmark_serving.py before vLLM 0.9)', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'import', 'vllm-bench-nostart', 'tp8_pp1');
  const raw = (q: string) =>
    JSON.parse(
      readFileSync(
        join(dir, `serving_meta-llama-Llama-3.3-70B-Instruct_tp8_pp1_sharegpt_qps_${q}.json`),
        'utf8',
      ),
    ) as { input_lens: number[]; output_lens: number[]; ttfts: number[]; itls: number[][] };
  const x = importPath(dir, { hardware: 'A100-40GB', tp: 8 }).experiments[0]!;
  const [rate4, burst] = x.json.qps_sweeps as (Point & Record<string, number>)[];

  it('rate inf: every request was sent at once, so the run is an exact trace starting at 0', () => {
    expect(burst!.requested_rate).toBe('inf');
    expect(x.traces).toHaveLength(1);
    const rows = x.traces[0]!.rows;
    const r = raw('inf');
    expect(rows.map((q) => q.startS)).toEqual(r.ttfts.map(() => 0));
    expect(rows.map((q) => q.inputTokens)).toEqual(r.input_lens);
    // Hand computation from the arrays: E2E = TTFT + the gaps; ITL over the means.
    const e2e = r.ttfts.map((t, i) => (t + r.itls[i]!.reduce((a, b) => a + b, 0)) * 1000);
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(burst!.e2e_mean_ms).toBeCloseTo(meanOf(e2e), 9);
    expect(burst!.itl_mean_ms).toBeCloseTo(
      (meanOf(e2e) - meanOf(r.ttfts) * 1000) / (meanOf(r.output_lens) - 1),
      9,
    );
    expect(x.json.provenance).toContainEqual(
      expect.objectContaining({ note: expect.stringMatching(/no send times and the rate was inf/) }),
    );
  });

  it('a finite rate: metrics from the requests, lengths with their spread, replayed at the rate', () => {
    const r = raw('04');
    expect(rate4!.trace).toBeUndefined();
    expect(rate4!.qps).toBe(4);
    const ttftMean = (r.ttfts.reduce((a, b) => a + b, 0) / r.ttfts.length) * 1000;
    expect(rate4!.ttft_mean_ms).toBeCloseTo(ttftMean, 9);
    const out = r.output_lens;
    const m = out.reduce((a, b) => a + b, 0) / out.length;
    const sd = Math.sqrt(out.reduce((a, b) => a + (b - m) ** 2, 0) / out.length);
    expect(rate4!.data).toMatchObject({
      output_tokens: Math.round(m),
      output_tokens_stdev: sd,
      output_tokens_min: Math.min(...out),
      output_tokens_max: Math.max(...out),
      prompt_tokens_min: Math.min(...r.input_lens),
    });
    expect(rate4!.num_requests).toBe(12);
    const [e] = parseGroundTruth({ experiments: [x.json] }, 'gt.json', 'executed', () =>
      parseTraceRows(traceCsv(x.traces[0]!.rows), 't.csv'),
    );
    expect(e!.replays).toHaveLength(2);
  });
});
