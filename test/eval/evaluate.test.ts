import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.ts';
import { runJob } from '../../src/eval/job.ts';
import { planJobs } from '../../src/eval/plan.ts';
import { Workers, withWorkers } from '../../src/eval/pool.ts';
import { loadGroundTruth } from '../../src/groundtruth/load.ts';

const paths = {
  hardwareConfig: resolve('hardware_config.blis-v0.6.1.json'),
  modelConfigs: resolve('model_configs'),
  benchData: resolve('bench_data'),
  coefficients: resolve('defaults.yaml'),
};
const staged = () => loadGroundTruth('test/fixtures/gt/staged.json').experiments;
const inThisThread = new Workers(1);
const base = {
  latencyModels: ['blackbox', 'roofline-v1'] as const,
  seeds: 1,
  paths,
  kvLeak: 'fixed' as const,
  timeoutS: 0,
};

describe('evaluate', () => {
  it('gives the same sorted points in-process and on two workers', async () => {
    const a = await evaluate({
      ...base,
      experiments: staged(),
      workers: inThisThread,
      signal: new AbortController().signal,
    });
    const b = await withWorkers(2, (workers) =>
      evaluate({ ...base, experiments: staged(), workers, signal: new AbortController().signal }),
    );
    expect(b).toEqual(a);
    expect(a.complete).toBe(true);
    expect(a.points.map((p) => `${p.experiment}/${p.point}/${p.latencyModel}`)).toEqual([
      'qwen7b-tp1-codegen/summary/blackbox',
      'qwen7b-tp1-codegen/summary/roofline-v1',
      'qwen7b-tp1-codegen/stage-0/blackbox',
      'qwen7b-tp1-codegen/stage-0/roofline-v1',
      'qwen7b-tp1-codegen/stage-1/blackbox',
      'qwen7b-tp1-codegen/stage-1/roofline-v1',
      'llama8b-tp1-profile-only/summary/blackbox',
      'llama8b-tp1-profile-only/summary/roofline-v1',
    ]);
  });

  it('stops on the signal and returns what finished, marked incomplete', async () => {
    const stop = new AbortController();
    const r = await evaluate({
      ...base,
      experiments: staged(),
      workers: inThisThread,
      signal: stop.signal,
      onJobDone: () => stop.abort(),
    });
    expect(r.complete).toBe(false);
    expect(r.points.map((p) => p.point)).toEqual(['summary', 'stage-0', 'stage-1']);
  });

  it('uses one more seed per --seeds step, each seed a separate point', async () => {
    const experiments = loadGroundTruth('test/fixtures/gt/qps-sweep.json').experiments;
    const r = await evaluate({
      ...base,
      latencyModels: ['roofline-v1'],
      seeds: 2,
      experiments,
      workers: inThisThread,
      signal: new AbortController().signal,
    });
    expect(r.points.map((p) => `${p.point}@${p.seed}`)).toEqual([
      'qps-5@42',
      'qps-5@43',
      'qps-10@42',
      'qps-10@43',
    ]);
    expect(r.points[0]!.predicted.e2e_mean).not.toBe(r.points[1]!.predicted.e2e_mean);
  });
});

describe('runJob', () => {
  it('computes request-level ITL and per-stage points from the stage of each arrival', () => {
    const [job] = planJobs(staged().slice(0, 1), {
      latencyModels: ['roofline-v1'],
      seeds: 1,
      paths,
      kvLeak: 'fixed',
    });
    const { points } = runJob(job!);
    for (const p of points) {
      const { ttft_mean: t, e2e_mean: e, itl_mean: itl } = p.predicted;
      // output_len 61 (implied by the means) for every request: ITL = (E2E − TTFT) / 60.
      expect(itl).toBeCloseTo((e! - t!) / 60, 9);
    }
    expect(new Set(points.map((p) => p.predicted.e2e_mean)).size).toBe(3);
  });

  it('simulates the shipped Llama-2-7B reasoning run at full length: fixed overloads as the server did, v0.6.1 leaks', () => {
    const x = loadGroundTruth('eval/combined_ground_truth.json').experiments.find((e) =>
      e.name.endsWith('llama-2-7b-tp1-reasoning'),
    );
    expect(x!.workloadForm).toBe('measured');
    // ignore_eos: every request generates the profile's 1 448 tokens; the stats' 1 100.6 are the client's count.
    const w = x!.replays[0]!.workload;
    expect(w.kind === 'measured' && [w.lengths.output.min, w.lengths.output.max]).toEqual([1448, 1448]);
    expect(x!.replays[0]!.clientOutput).toBeCloseTo(1100.55, 2);
    const run = (kvLeak: 'fixed' | 'v0.6.1') =>
      runJob(planJobs([x!], { latencyModels: ['roofline-v1'], seeds: 1, paths, kvLeak })[0]!).points;
    const leaking = run('v0.6.1');
    expect(leaking.every((p) => p.status === 'failed' && /leaks the blocks/.test(p.reason!))).toBe(true);
    // The real server failed 4 068 of 4 800 requests (TTFT 107 s): the fixed simulation overloads too.
    const fixed = run('fixed');
    expect(fixed.map((p) => p.status)).toEqual(['failed', 'failed']);
    expect(fixed[0]!.reason).toMatch(
      /^predicted overload: .*the measured server failed 84\.8 % of its requests too$/,
    );
  }, 300_000);

  it('records a job past its deadline as failed', () => {
    // A real experiment: thousands of requests, so the deadline is checked during the run.
    const [x] = loadGroundTruth('eval/combined_ground_truth.json').experiments;
    const [job] = planJobs([x!], { latencyModels: ['roofline-v1'], seeds: 1, paths, kvLeak: 'fixed' });
    const { points } = runJob(job!, 1);
    expect(points.every((p) => p.status === 'failed' && /timed out/.test(p.reason!))).toBe(true);
  });
});
