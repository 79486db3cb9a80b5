import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runJob } from '../../src/eval/job.ts';
import { planJobs } from '../../src/eval/plan.ts';
import { clearReusedSources, reusedSource } from '../../src/eval/workload-cache.ts';
import { loadGroundTruth } from '../../src/groundtruth/load.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';

const paths = {
  hardwareConfig: resolve('hardware_config.json'),
  modelConfigs: resolve('model_configs'),
  benchData: resolve('bench_data'),
  coefficients: resolve('defaults.yaml'),
};

afterEach(clearReusedSources);

describe('replays reused across tuner candidates', () => {
  it('generates a replay once per key and hands it out again', () => {
    let made = 0;
    const make = (): WorkloadRequest[] => {
      made++;
      return [{ id: 'request_0', arrival: 0, input: new Int32Array(40).fill(7), output: new Int32Array(3) }];
    };
    const a = [...reusedSource('k', 16, make)];
    const b = [...reusedSource('k', 16, make)];
    expect(made).toBe(1);
    expect(b).toEqual(a);
    // Block keys come computed, for the block size asked: two full blocks of 16 in 40 tokens.
    expect(a[0]!.inputBlocks?.blockSize).toBe(16);
    expect(a[0]!.inputBlocks?.keys).toHaveLength(2);
    expect(a[0]!.inputBlocks?.chunks).toHaveLength(2);
    reusedSource('other', 16, make);
    expect(made).toBe(2);
  });

  it('gives every run of a reused replay the points a fresh generation gives', () => {
    const gt = loadGroundTruth(resolve('test/fixtures/gt/staged.json'), 'executed');
    for (const model of ['roofline-v1', 'trained-physics'] as const) {
      for (const job of planJobs(gt.experiments, {
        latencyModels: [model],
        seeds: 1,
        paths,
        kvLeak: 'fixed',
      })) {
        const fresh = runJob(job);
        for (const fidelity of [1, 0.5]) {
          const partial = fidelity < 1 ? { fidelity } : {};
          const once = runJob({ ...job, ...partial });
          const first = runJob({ ...job, ...partial, reuseWorkload: true });
          const again = runJob({ ...job, ...partial, reuseWorkload: true });
          expect(first).toEqual(once);
          expect(again).toEqual(once);
        }
        expect(runJob({ ...job, reuseWorkload: true })).toEqual(fresh);
      }
    }
  });
});
