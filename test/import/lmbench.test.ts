import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { parseTraceRows } from '../../src/groundtruth/trace-file.ts';
import { traceCsv } from '../../src/import/output.ts';
import { REPO } from '../support/cli.ts';
import { folder, importPath } from './helpers.ts';

const DIR = join(REPO, 'test', 'fixtures', 'import', 'lmbench', 'vllm-llama4-tp4');
const MODEL = 'RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic';

/** The rows of a fixture file as numbers, by column name. */
function rows(q: number) {
  const [head, ...lines] = readFileSync(join(DIR, `LMBench_sharegpt_output_${q}.csv`), 'utf8')
    .trim()
    .split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, Number(v)])));
}

describe('import LMBench CSVs (llm-d-benchmark exp-4: Llama-4-Scout FP8, TP 4, H100)', () => {
  const r = importPath(DIR, { hardware: 'H100', tp: 4, model: MODEL });
  const x = r.experiments[0]!;
  const points = x.json.qps_sweeps as Record<string, unknown>[];

  it('is recognised, one experiment with a point per rate from the file names', () => {
    expect(r.format).toBe('lmbench');
    expect(r.experiments).toHaveLength(1);
    expect(points.map((p) => p.qps)).toEqual([10, 100]);
    expect(x.traces.map((t) => t.rows.length)).toEqual([252, 252]);
  });

  it('takes E2E as ttft + generation_time, arrivals from launch_time (hand computation)', () => {
    const raw = rows(10);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const e2e = raw.map((q) => (q.ttft! + q.generation_time!) * 1000);
    const p = points[0]! as Record<string, number>;
    expect(p.e2e_mean_ms).toBeCloseTo(mean(e2e), 9);
    expect(p.ttft_mean_ms).toBeCloseTo(mean(raw.map((q) => q.ttft! * 1000)), 9);
    expect(p.itl_mean_ms).toBeCloseTo(
      (mean(e2e) - mean(raw.map((q) => q.ttft! * 1000))) / (mean(raw.map((q) => q.generation_tokens!)) - 1),
      9,
    );
    // ttft + generation_time is the client's finish − launch.
    expect(e2e[0]! / 1000).toBeCloseTo(raw[0]!.finish_time! - raw[0]!.launch_time!, 6);
    const trace = parseTraceRows(traceCsv(x.traces[0]!.rows), 't.csv');
    expect(trace[1]!.arrivalUs).toBe(Math.round((raw[1]!.launch_time! - raw[0]!.launch_time!) * 1e6));
    // Completed requests over first send to last completion.
    const last = Math.max(...raw.map((q) => q.launch_time! + q.ttft! + q.generation_time!));
    expect(p.achieved_rate).toBeCloseTo(252 / (last - Math.min(...raw.map((q) => q.launch_time!))), 9);
    const [e] = parseGroundTruth({ experiments: [x.json] }, 'gt.json', 'executed', (ref) => {
      const t = x.traces.find((tr) => tr.ref === ref)!;
      return parseTraceRows(traceCsv(t.rows), ref);
    });
    expect(e!.workloadForm).toBe('trace');
  });

  it('a request without a TTFT is a failure; a row without its send time is refused naming it', () => {
    const head = 'prompt_tokens,generation_tokens,ttft,generation_time,launch_time,finish_time';
    const dir = folder({ 'LMBench_x_output_2.csv': `${head}\n10,5,0.1,0.4,100.0,100.5\n12,0,,,100.5,\n` });
    const x = importPath(dir, { hardware: 'H100', tp: 1, model: MODEL }).experiments[0]!;
    const p = (x.json.qps_sweeps as Record<string, unknown>[])[0]!;
    expect(p).toMatchObject({ num_sent: 2, num_requests: 1, num_failures: 1, e2e_mean_ms: 500 });
    // Half the requests failed: the run is flagged, and the evaluator leaves it out of its aggregates.
    expect(x.json.flags).toEqual({ overloaded: true, failure_fraction: 0.5 });
    const bad = folder({ 'LMBench_x_output_2.csv': `${head}\n10,5,0.1,0.4,,100.5\n` });
    expect(() => importPath(bad, { hardware: 'H100', tp: 1, model: MODEL })).toThrow(
      /LMBench_x_output_2.csv: row 2: launch_time: expected a number/,
    );
  });
  it('reads the server from a Kubernetes manifest beside the CSVs; flags still win', () => {
    const head = 'prompt_tokens,generation_tokens,ttft,generation_time,launch_time,finish_time';
    const manifest = [
      'kind: Deployment',
      'spec: {template: {spec: {containers: [{command: [/bin/sh, -c],',
      '  args: ["vllm serve org/M --gpu-memory-utilization 0.95 --max-model-len 10000 --tensor-parallel-size 4"]}]}}}',
    ].join('\n');
    const dir = folder({
      'LMBench_x_output_2.csv': `${head}\n10,5,0.1,0.4,100.0,100.5\n`,
      'deploy.yaml': manifest,
    });
    const x = importPath(dir, { hardware: 'H100', asyncScheduling: false }).experiments[0]!;
    expect(x.json).toMatchObject({
      model: 'org/M',
      vllm_config: {
        tensor_parallelism: 4,
        max_model_len: 10000,
        gpu_memory_utilization: 0.95,
        async_scheduling: false,
      },
    });
    expect(x.json.provenance).toContainEqual({
      field: 'vllm_config.max_model_len',
      file: 'run/deploy.yaml',
      key: '--max-model-len',
    });
    expect(importPath(dir, { hardware: 'H100', tp: 2 }).experiments[0]!.json).toMatchObject({
      vllm_config: { tensor_parallelism: 2, async_scheduling: null },
    });
  });
});
