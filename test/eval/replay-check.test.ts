import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/eval/job.ts';
import { planJobs } from '../../src/eval/plan.ts';
import { replayCheck } from '../../src/eval/replay-check.ts';
import type { MeasuredPoint } from '../../src/groundtruth/experiment.ts';
import { loadGroundTruth } from '../../src/groundtruth/load.ts';
import type { RequestRecord } from '../../src/sim/request-log.ts';

const paths = {
  hardwareConfig: resolve('hardware_config.json'),
  modelConfigs: resolve('model_configs'),
  benchData: resolve('bench_data'),
  coefficients: resolve('defaults.yaml'),
};

/** Completed requests as the check reads them: µs times, lengths, stage. */
const done = (n: number, over: Partial<RequestRecord> = {}): RequestRecord[] =>
  Array.from(
    { length: n },
    (_, i) =>
      ({
        completed: true,
        stage: 0,
        inputLen: 500,
        outputLen: 200,
        arrival: i * 1e6,
        e2e: 1e6,
        ...over,
      }) as RequestRecord,
  );

const point = (workload: MeasuredPoint['workload'], stage: number | null = null): MeasuredPoint => ({
  id: 'summary',
  stage,
  measured: { e2e_mean: 1 },
  ...(workload && { workload }),
});

describe('replayCheck', () => {
  it('computes what was sent: completions, mean lengths, requests/s from first arrival to last completion', () => {
    const c = replayCheck(done(10), point({ completed: 10 }))!;
    expect(c.sent).toEqual({ completed: 10, promptMean: 500, outputMean: 200, requestsPerSec: 1 });
    expect(c.mismatch).toEqual([]);
  });

  it('labels every quantity more than 5 % off, and only those', () => {
    const measured = { completed: 10, promptMean: 520, outputMean: 212, requestsPerSec: 0.94 };
    // 500 vs 520: 3.8 % (ok); 200 vs 212: 5.7 %; 1 vs 0.94: 6.4 %.
    expect(replayCheck(done(10), point(measured))!.mismatch).toEqual(['outputMean', 'requestsPerSec']);
    expect(replayCheck(done(10), point({ completed: 732 }))!.mismatch).toEqual(['completed']);
  });

  it('counts only completed requests of the point stage, and nothing without measured figures', () => {
    const reqs = [...done(4), ...done(6, { stage: 1 }), ...done(3, { completed: false })];
    expect(replayCheck(reqs, point({ completed: 6 }, 1))!.sent.completed).toBe(6);
    expect(replayCheck(reqs, point(undefined))).toBeUndefined();
  });

  it('is attached to ok points of a job: the measured fixture replays what was measured', () => {
    const x = loadGroundTruth('test/fixtures/gt/measured.json').experiments;
    const [job] = planJobs(x, { latencyModels: ['roofline-v1'], seeds: 1, paths, kvLeak: 'fixed' });
    const { points } = runJob(job!);
    expect(points.map((p) => [p.point, p.status, p.replay?.mismatch])).toEqual([
      ['summary', 'ok', []],
      ['stage-0', 'ok', []],
      ['stage-1', 'ok', []],
    ]);
    expect(points[0]!.replay!.sent.completed).toBe(36);
  });
});
