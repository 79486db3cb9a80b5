import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientCounted } from '../../src/eval/client-count.ts';
import { runJob } from '../../src/eval/job.ts';
import { planJobs } from '../../src/eval/plan.ts';
import { pointMetrics } from '../../src/eval/point-metrics.ts';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import type { RequestRecord } from '../../src/sim/request-log.ts';

const paths = {
  hardwareConfig: resolve('hardware_config.json'),
  modelConfigs: resolve('model_configs'),
  benchData: resolve('bench_data'),
  coefficients: resolve('defaults.yaml'),
};

/** A completed request: first token at `ttft` µs, last of `out` at `e2e` µs. */
const req = (out: number, ttft: number, e2e: number) =>
  ({
    completed: true,
    stage: 0,
    arrival: 0,
    inputLen: 100,
    outputLen: out,
    ttft,
    e2e,
  }) as RequestRecord;

describe('clientCounted', () => {
  it('keeps E2E at the last streamed token and counts only the counted tokens', () => {
    const [r] = clientCounted([req(101, 1_000, 11_000)], 51);
    expect(r).toMatchObject({ outputLen: 51, ttft: 1_000, e2e: 11_000 });
  });

  it('counts every request at the count (at least one token), longer or shorter', () => {
    const exact = req(51, 1_000, 5_000);
    expect(clientCounted([exact], 51)[0]).toBe(exact);
    expect(clientCounted([req(40, 1_000, 5_000)], 51)[0]).toMatchObject({ outputLen: 51, e2e: 5_000 });
    expect(clientCounted([req(101, 1_000, 11_000)], 0)[0]).toMatchObject({ outputLen: 1, e2e: 11_000 });
  });

  it("gives the client's ITL: the decode span over the counted tokens", () => {
    const seen = clientCounted([req(101, 1_000, 11_000), req(201, 2_000, 22_000)], 51);
    const r = pointMetrics(seen, { id: 'summary', stage: null, measured: { itl_mean: 1, e2e_mean: 1 } });
    // E2E 11 000 and 22 000 µs, TTFT 1 000 and 2 000: (16.5 − 1.5) ms / 50 counted intervals.
    expect('predicted' in r && r.predicted).toEqual({ itl_mean: 0.3, e2e_mean: 16.5 });
  });
});

describe('a run whose client counted fewer tokens than the server generated (ignore_eos)', () => {
  it('is replayed at output_len and measured at the count its means imply', () => {
    const raw = JSON.parse(readFileSync('test/fixtures/gt/staged.json', 'utf8'));
    const x = raw.experiments[0];
    x.workload_config.api = { streaming: true, ignore_eos: true };
    // (455 − 25.5) / 8.59 + 1 = 51.0 counted tokens of the 60 generated.
    x.summary.itl_mean_ms = 8.59;
    const [e] = parseGroundTruth(raw, 'gt.json');
    expect(e!.workloadForm).toBe('implied-output');
    const [r] = e!.replays;
    const w = r!.workload;
    expect(w.kind === 'executed' && [w.spec.shared_prefix.output_len, r!.clientOutput]).toEqual([
      60,
      (455 - 25.5) / 8.59 + 1,
    ]);
    const [job] = planJobs([e!], { latencyModels: ['roofline-v1'], seeds: 1, paths, kvLeak: 'fixed' });
    const summary = runJob(job!).points[0]!;
    expect(summary.replay!.sent.outputMean).toBeCloseTo((455 - 25.5) / 8.59 + 1, 9);
    const { e2e_mean: e2e, ttft_mean: ttft, itl_mean: itl } = summary.predicted;
    expect(itl).toBeCloseTo((e2e! - ttft!) / ((455 - 25.5) / 8.59), 9);
    // The same simulation uncounted: E2E and TTFT are the server's, only ITL's denominator differs.
    const { clientOutput: _, ...uncounted } = job!.replay;
    const plain = runJob({ ...job!, replay: uncounted }).points[0]!.predicted;
    expect([plain.e2e_mean, plain.ttft_mean]).toEqual([e2e, ttft]);
    expect(plain.itl_mean).toBeCloseTo((e2e! - ttft!) / 59, 9);
    // Without ignore_eos the server stopped early: the replay generates the implied 51 tokens.
    delete x.workload_config.api;
    const [a] = parseGroundTruth(raw, 'gt.json');
    const [ra] = a!.replays;
    const wa = ra!.workload;
    expect(wa.kind === 'executed' && [wa.spec.shared_prefix.output_len, ra!.clientOutput]).toEqual([
      51,
      undefined,
    ]);
  });
});
