import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { parseTraceRows } from '../../src/groundtruth/trace-file.ts';
import { traceCsv } from '../../src/import/output.ts';
import type { ImportedExperiment } from '../../src/import/types.ts';
import { copySample, importPath, SAMPLES } from './helpers.ts';

const TQ = `vllm-bench/${readdirSync(join(SAMPLES, 'vllm-bench')).find((d) => d.startsWith('turboquant-'))}`;
const RATE4 = 'experiment-029-llama-8b-baseline-L3-sweep-rate4-run1.json';
const GUIDELLM = join(SAMPLES, 'guidellm', 'guidellm-bench-qwen3-4b-thinking-tp2-fp8');
const AIPERF = join(SAMPLES, 'aiperf', 'aiperf-examples-run1');

/** The imported experiment as the evaluator reads it (traces from memory). */
function loaded(x: ImportedExperiment) {
  const csv = new Map(x.traces.map((t) => [t.ref, traceCsv(t.rows)]));
  return parseGroundTruth({ experiments: [x.json] }, 'gt.json', 'measured', (ref) =>
    parseTraceRows(csv.get(ref)!, ref),
  )[0]!;
}

type Point = Record<string, unknown>;

describe('import: clients that limit concurrency, and names from the files', () => {
  it('vllm bench --max-concurrency 2 (rate inf): a closed loop, named from the content', () => {
    const file = copySample(`${TQ}/${RATE4}`, {
      '.': (t) =>
        t
          .replace('"request_rate": 4.0', '"request_rate": "inf"')
          .replace('"max_concurrency": null', '"max_concurrency": 2'),
    });
    const x = importPath(file, { hardware: 'RTX4090', tp: 1 }).experiments[0]!;
    expect(x.json.experiment_name).toBe('Llama-3.1-8B-Instruct vllm-bench c=2');
    const p = (x.json.qps_sweeps as Point[])[0]!;
    expect(p).toMatchObject({ max_concurrency: 2, requested_rate: 'inf' });
    expect(x.json.provenance).toContainEqual(
      expect.objectContaining({ key: 'max_concurrency', note: expect.stringMatching(/closed loop/) }),
    );
    const e = loaded(x);
    expect(e.replays[0]!.client).toEqual({ maxConcurrency: 2, paced: false });
    expect(e.replayNote).toBe('closed loop ≤ 2 in flight');
    // From the summary alone: every request as soon as the limit allows, never a 10⁶ req/s flood.
    const s = importPath(file, { hardware: 'RTX4090', tp: 1, summaryOnly: true }).experiments[0]!;
    expect(loaded(s).replays[0]!.client).toEqual({ maxConcurrency: 2, paced: false });
  });

  it('vllm bench with a rate and a limit: a closed loop paced at the rate', () => {
    const file = copySample(`${TQ}/${RATE4}`, {
      '.': (t) => t.replace('"max_concurrency": null', '"max_concurrency": 8'),
    });
    const x = importPath(file, { hardware: 'RTX4090', tp: 1 }).experiments[0]!;
    expect(x.json.experiment_name).toBe('Llama-3.1-8B-Instruct vllm-bench c=8 rate=4');
    expect(loaded(x).replays[0]!.client).toEqual({ maxConcurrency: 8, paced: true });
  });

  it('a single result file without a limit is named by model and rate, never "."', () => {
    const x = importPath(join(SAMPLES, TQ, RATE4), { hardware: 'RTX4090', tp: 1 }).experiments[0]!;
    expect(x.json.experiment_name).toBe('Llama-3.1-8B-Instruct vllm-bench rate=4');
    expect(loaded(x).replays[0]!.client).toBeUndefined();
  });

  it('runs whose content gives the same name are told apart by their file', () => {
    const llmd = join(SAMPLES, 'vllm-bench', 'llmd-benchmark-exp7-h100-vllm-2replicas');
    const names = importPath(llmd, { hardware: 'H100', tp: 1 }).experiments.map(
      (x) => x.json.experiment_name,
    );
    expect(names).toEqual([
      'Llama-3.1-8B-Instruct vllm-bench rate=3.6',
      'Llama-3.1-8B-Instruct vllm-bench rate=3.6 (benchmark_2025-05-13_04-59-44)',
      'Llama-3.1-8B-Instruct vllm-bench rate=3.6 (benchmark_2025-05-13_05-03-46)',
    ]);
  });

  it('guidellm synchronous: one request in flight, and the server log’s prefix caching', () => {
    const x = importPath(GUIDELLM, { hardware: 'H100' }).experiments[0]!;
    expect(x.json.experiment_name).toBe('Qwen3-4B-Thinking-2507 guidellm c=1');
    expect((x.json.qps_sweeps as Point[])[0]).toMatchObject({ max_concurrency: 1, requested_rate: null });
    expect(x.json.vllm_config).toMatchObject({ enable_prefix_caching: false, max_num_batched_tokens: 8192 });
    const e = loaded(x);
    expect(e.replays[0]!.client).toEqual({ maxConcurrency: 1, paced: false });
    expect(e.engine.prefixCaching).toBe(false);
    expect(e.engine.chunkedPrefill).toBe(true); // not stated: vLLM's default
  });

  it('AIPerf --concurrency 100: a closed loop of 100', () => {
    const x = importPath(AIPERF, { hardware: 'H100', tp: 1 }).experiments[0]!;
    expect(x.json.experiment_name).toBe('gpt-oss-20b aiperf c=100');
    expect((x.json.qps_sweeps as Point[])[0]).toMatchObject({ max_concurrency: 100 });
    expect(loaded(x).replays[0]!.client).toEqual({ maxConcurrency: 100, paced: false });
  });

  it('an explicit --name wins over the content name', () => {
    const x = importPath(AIPERF, { hardware: 'H100', tp: 1, name: 'mine' }).experiments[0]!;
    expect(x.json.experiment_name).toBe('mine');
  });
});
