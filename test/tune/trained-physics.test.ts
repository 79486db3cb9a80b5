import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBackPlan } from '../../src/commands/tune-setup.ts';
import { findGpu, loadHardwareConfig, parseHardwareConfig } from '../../src/config/hardware-config.ts';
import { parseCv } from '../../src/tune/folds.ts';
import { calibrationOf } from '../../src/tune/scorer.ts';
import { runTune } from '../../src/tune/session.ts';
import { defaultSpace, parseParamFlag } from '../../src/tune/space.ts';
import { trainedPhysicsStart } from '../../src/tune/start.ts';
import { tuneSettings } from '../support/tune-settings.ts';

const hw = loadHardwareConfig('hardware_config.json');
const shipped = findGpu(hw, 'H100').trainedPhysics;

describe('trained-physics as a tunable latency model', () => {
  it('starts from the GPU set (or --beta/--alpha-coeffs) and maps named fields back to BLIS slots', () => {
    const start = trainedPhysicsStart(findGpu(hw, 'H100'));
    expect(Object.keys(start)).toEqual(defaultSpace('trained-physics').map((p) => p.name));
    expect(calibrationOf('trainedPhysics', start)).toEqual({ trainedPhysics: shipped });
    const given = trainedPhysicsStart(findGpu(hw, 'H100'), { beta: [1, 2, 3, 4, 5, 6, 7] });
    expect([given.b1a, given.b7, given.b8, given.b2b, given.a0]).toEqual([1, 7, 0, 0, shipped.alpha![0]]);
    for (const p of defaultSpace('trained-physics')) {
      expect(start[p.name]!, p.name).toBeGreaterThanOrEqual(p.lo);
      expect(start[p.name]!, p.name).toBeLessThanOrEqual(p.hi);
    }
  });

  it('the candidate overlay reaches the model, and the fit is written into defaults.trainedPhysics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-tp-'));
    const s = tuneSettings(dir, {
      hardwareConfig: resolve('hardware_config.json'),
      latencyModel: 'trained-physics',
      params: [parseParamFlag('trained-physics', 'a0=0:30000:15000')],
      objective: ['ttft_mean'],
      cv: parseCv('none'),
      maxEvals: 3,
      method: 'grid',
    });
    const o = await runTune(s, { signal: new AbortController().signal });
    const { fitted, current, search } = o.result!.final;
    // a0 15000 (the grid's) and 15563 (the file's) score differently: the candidate reached the model.
    expect(fitted.objective).not.toBe(current.objective);
    const best = search.best.a0!;
    expect([0, 15000, 30000]).toContain(best);
    const target = join(dir, 'hw.json');
    writeFileSync(target, readFileSync('hardware_config.json'));
    const plan = writeBackPlan(s, o, { write: target });
    const after = parseHardwareConfig(JSON.parse(plan.newText), 'x');
    expect(after.defaults.trainedPhysics.alpha).toEqual([best, ...shipped.alpha!.slice(1)]);
    expect(after.defaults.trainedPhysics.beta).toEqual(shipped.beta);
    expect(findGpu(after, 'L40S').trainedPhysics.alpha![0]).toBe(best);
  });
});
