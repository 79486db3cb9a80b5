import { describe, expect, it } from 'vitest';
import { tuneSettings } from '../../src/commands/tune-setup.ts';
import type { InputSettings } from '../../src/eval/settings.ts';
import { defaultSpace, withPinned } from '../../src/tune/space.ts';

const base: InputSettings = {
  groundTruth: 'gt.json',
  hardwareConfig: 'hardware_config.json',
  modelConfigs: 'model_configs',
  benchData: 'bench_data',
  coefficients: 'defaults.yaml',
  explicit: new Set(),
  jobs: 1,
  timeoutS: 0,
  workloadForm: 'measured',
  kvLeak: 'fixed',
  mfuTransfer: false,
  quiet: true,
};
const settings = (param: string[]) =>
  tuneSettings({ latencyModel: 'roofline-v1', hardware: 'H100', param, out: '/tmp/unused' }, base, {
    objective: ['e2e_mean'],
    maxEvals: 1,
  });
const names = (ps: readonly { name: string }[]) => ps.map((p) => p.name);

describe('tune --param', () => {
  it('a pinned value joins the default space; a ranged one replaces it', () => {
    const pinnedOnly = settings(['allReduceLinkScale=1']);
    expect(pinnedOnly.params).toBeUndefined();
    expect(pinnedOnly.pinned).toEqual([{ name: 'allReduceLinkScale', section: 'v1', lo: 1, hi: 1, step: 1 }]);
    const both = settings(['mfuDecode=0.1:0.3:0.1', 'allReduceLinkScale=1']);
    expect(names(both.params ?? [])).toEqual(['mfuDecode']);
    expect(names(both.pinned ?? [])).toEqual(['allReduceLinkScale']);
    expect(settings(['mfuDecode=0.1:0.3:0.1']).pinned).toBeUndefined();
  });

  it('a pinned field takes the place of its own range in the space', () => {
    const space = withPinned(defaultSpace('roofline-v1'), [
      { name: 'mfuDecode', section: 'v1', lo: 0.2, hi: 0.2, step: 1 },
    ]);
    expect(names(space).sort()).toEqual(names(defaultSpace('roofline-v1')).sort());
    expect(space.find((p) => p.name === 'mfuDecode')).toMatchObject({ lo: 0.2, hi: 0.2 });
    expect(withPinned(defaultSpace('roofline-v1'))).toEqual(defaultSpace('roofline-v1'));
  });
});
