import { resolve } from 'node:path';
import { parseCv } from '../../src/tune/folds.ts';
import type { TuneSettings } from '../../src/tune/session.ts';
import { parseParamFlag } from '../../src/tune/space.ts';

/** A small roofline-v1 tune of the staged fixture in `dir` (BLIS v0.6.1 values), overridden field by field. */
export function tuneSettings(dir: string, over: Partial<TuneSettings> = {}): TuneSettings {
  return {
    groundTruth: resolve('test/fixtures/gt/staged.json'),
    hardwareConfig: resolve('hardware_config.blis-v0.6.1.json'),
    modelConfigs: resolve('model_configs'),
    benchData: resolve('bench_data'),
    coefficients: resolve('defaults.yaml'),
    explicit: new Set(),
    jobs: 1,
    timeoutS: 0,
    workloadForm: 'executed',
    kvLeak: 'fixed',
    mfuTransfer: false,
    quiet: true,
    latencyModel: 'roofline-v1',
    hardware: 'H100',
    params: ['mfuDecode=0.08:0.2:0.04', 'TOverheadMicros=0:1500:500'].map((p) =>
      parseParamFlag('roofline-v1', p),
    ),
    objective: ['e2e_mean', 'ttft_mean', 'itl_mean'],
    cv: parseCv('leave-one-model-out'),
    maxEvals: 8,
    method: 'auto',
    force: false,
    dir,
    resume: false,
    ...over,
  };
}
