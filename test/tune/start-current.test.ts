import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGpu, parseHardwareConfig } from '../../src/config/hardware-config.ts';
import { readEvals } from '../../src/tune/checkpoint.ts';
import { CURRENT } from '../../src/tune/scorer.ts';
import { runTune } from '../../src/tune/session.ts';
import { parseParamFlag } from '../../src/tune/space.ts';
import { startIsCurrent } from '../../src/tune/start.ts';
import { tuneSettings } from '../support/tune-settings.ts';

const file = parseHardwareConfig(
  JSON.parse(readFileSync('hardware_config.blis-v0.6.1.json', 'utf8')),
  'v061',
);
const h100 = findGpu(file, 'H100')!;
const a100 = findGpu(file, 'A100-80GB')!;

describe('the start as the current configuration', () => {
  it("is the current model only where every field it sets is the file's value on every GPU", () => {
    expect(startIsCurrent({ mfuDecode: 0.12, TOverheadMicros: 500 }, 'v1', [h100])).toBe(true);
    expect(startIsCurrent({ mfuDecode: 0.12000001, TOverheadMicros: 500 }, 'v1', [h100])).toBe(false);
    // A field the file lacks changes the model (here: selects calibrated v1).
    expect(startIsCurrent({ mfuDecode: 0.12, tpScalingExponent: 1 }, 'v1', [h100])).toBe(false);
    // One set of values for several GPUs: only if each GPU holds it.
    expect(startIsCurrent({ mfuDecode: 0.12 }, 'v1', [h100, a100])).toBe(
      h100.v1.mfuDecode === a100.v1.mfuDecode,
    );
    expect(startIsCurrent({ alpha0: 1 }, 'blackbox', [h100])).toBe(false);
    expect(startIsCurrent({ mfuDecode: 0.12 }, 'v1', [])).toBe(false);
  });

  it('shares the current values\u2019 simulations, and a fit that finds nothing better is the current values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-current-'));
    // The v0.6.1 file's H100 values of both fields, and a space where every neighbour is worse.
    const params = ['mfuDecode=0.12:0.12:0.01', 'TOverheadMicros=500:500:50'].map((p) =>
      parseParamFlag('roofline-v1', p),
    );
    const o = await runTune(tuneSettings(dir, { params, maxEvals: 4 }), {
      signal: new AbortController().signal,
    });
    const r = o.result!;
    expect(r.final.search.best).toEqual({ mfuDecode: 0.12, TOverheadMicros: 500 });
    expect(r.final.fitted).toEqual(r.final.current);
    for (const f of r.folds) expect(f.fitted).toEqual(f.currentTrain);
    // Every evaluation is the current values': none was simulated a second time as a candidate.
    expect([...readEvals(dir).keys()].every((k) => k.startsWith(`${CURRENT}\u0000`))).toBe(true);
  });
});
