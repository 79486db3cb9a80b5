import { describe, expect, it } from 'vitest';
import {
  findGpu,
  loadHardwareConfig,
  parseHardwareConfig,
  v1Params,
  v2Params,
} from '../../src/config/hardware-config.ts';
import { updateHardwareConfigText } from '../../src/config/hardware-config-write.ts';
import { InputError } from '../../src/errors.ts';
import { BLIS_V1_SECTION } from '../support/roofline.ts';

const gpu = (extra: Record<string, unknown> = {}) => ({ TFlopsPeak: 100, BwPeakTBs: 1, ...extra });

describe('hardware_config.json defaults entry', () => {
  it('gives every GPU the fields it does not set, and records which it inherited', () => {
    const cfg = parseHardwareConfig(
      {
        defaults: {
          _comment: 'x',
          v1: { mfuDecode: 0.2, mfuPrefill: 0.5 },
          v2: { perLayerOverhead: 7 },
          trainedPhysics: { beta: [1, 2, 3, 4, 5, 6, 7], alpha: [1, 2, 3] },
        },
        A: gpu({ v1: { mfuDecode: 0.3 }, trainedPhysics: { alpha: [9, 9, 9] } }),
        B: gpu({ perLayerOverhead: 1 }),
      },
      'hw.json',
    );
    expect(cfg.gpus.map((g) => g.key)).toEqual(['A', 'B']);
    const a = findGpu(cfg, 'a');
    expect(a.v1).toMatchObject({ mfuDecode: 0.3, mfuPrefill: 0.5 });
    expect(a.v2.perLayerOverhead).toBe(7);
    expect(a.trainedPhysics).toEqual({ beta: [1, 2, 3, 4, 5, 6, 7], alpha: [9, 9, 9] });
    expect(a.inherited).toEqual(['v1.mfuPrefill', 'v2.perLayerOverhead', 'trainedPhysics.beta']);
    // A flat (top-level) field is the GPU's own and wins over defaults.
    const b = findGpu(cfg, 'B');
    expect(b.v2.perLayerOverhead).toBe(1);
    expect(b.inherited).toEqual([
      'v1.mfuPrefill',
      'v1.mfuDecode',
      'trainedPhysics.beta',
      'trainedPhysics.alpha',
    ]);
    expect(cfg.defaults.v1).toEqual({ mfuDecode: 0.2, mfuPrefill: 0.5 });
  });

  it('a file without defaults resolves as before', () => {
    const cfg = parseHardwareConfig({ H: gpu({ v1: { mfuDecode: 0.3 } }) }, 'x');
    expect(cfg.gpus[0]!.inherited).toEqual([]);
    expect(cfg.gpus[0]!.trainedPhysics).toEqual({});
  });

  it.each([
    [{ v1: { TFlopsPeak: 1 } }, "'defaults', field 'v1'"],
    [{ v3: {} }, "'defaults'"],
    [{ trainedPhysics: { beta: [1, 2] } }, "field 'trainedPhysics.beta'"],
    [{ trainedPhysics: { alpha: [1, -2, 3] } }, "field 'trainedPhysics.alpha.1'"],
    [{ v2: { ttftDecodeSteps: 1.5 } }, "field 'v2.ttftDecodeSteps'"],
  ])('rejects a bad defaults entry %j naming the field', (defaults, where) => {
    const parse = () => parseHardwareConfig({ defaults, H: gpu() }, 'hw.json');
    expect(parse).toThrow(InputError);
    expect(parse).toThrow(where);
  });

  it.each(['ttftDecodeSteps', 'mixedStepJoint'])('rejects a %s above 1 in a GPU section', (field) => {
    for (const section of ['v1', 'v2']) {
      const parse = () => parseHardwareConfig({ H: gpu({ [section]: { [field]: 2 } }) }, 'hw.json');
      expect(parse).toThrow(`field '${section}.${field}'`);
    }
  });

  it('the shipped file: BLIS v0.7.1 trained-physics set inherited by every GPU; A100/L40S peaks', () => {
    const cfg = loadHardwareConfig('hardware_config.json');
    for (const g of cfg.gpus) {
      expect(g.trainedPhysics.beta).toHaveLength(10);
      expect(g.trainedPhysics.alpha).toEqual([15563.199579, 777.3455, 45.907545]);
    }
    expect(findGpu(cfg, 'A100-80')).toMatchObject({ TFlopsPeak: 312, TFlopsFP8: 0, BwPeakTBs: 2.039 });
    expect(findGpu(cfg, 'L40S')).toMatchObject({ TFlopsPeak: 362.05, BwPeakTBs: 0.864 });
    expect(findGpu(cfg, 'H100')).toMatchObject({ TFlopsPeak: 989.5, BwPeakTBs: 3.35 });
  });
});

describe('write-back into defaults', () => {
  it('creates the defaults entry when missing, then GPUs inherit the written values', () => {
    const before = `${JSON.stringify({ H: gpu() }, null, 2)}\n`;
    const after = updateHardwareConfigText(before, 'defaults', 'trainedPhysics', {
      beta: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      alpha: [1, 2, 3],
    });
    const again = updateHardwareConfigText(after, 'defaults', 'v1', { mfuDecode: 0.25 });
    expect(Object.keys(JSON.parse(again))).toEqual(['defaults', 'H']);
    const h = parseHardwareConfig(JSON.parse(again), 'x').gpus[0]!;
    expect(h.v1.mfuDecode).toBe(0.25);
    expect(h.trainedPhysics.alpha).toEqual([1, 2, 3]);
    expect(h.inherited).toContain('v1.mfuDecode');
  });

  it('rejects a non-finite array entry', () => {
    const text = JSON.stringify({ H: gpu() });
    expect(() =>
      updateHardwareConfigText(text, 'H', 'trainedPhysics', { alpha: [1, Number.NaN, 3] }),
    ).toThrow(/H\.trainedPhysics\.alpha must be finite/);
  });
});

describe('the interconnect and the physics terms', () => {
  it('reads InterconnectGBs per GPU (never from defaults) and passes the terms to both rooflines', () => {
    const cfg = parseHardwareConfig(
      {
        defaults: { v1: { lmHeadScale: 1 }, v2: { allReduceLinkScale: 1.2, lmHeadScale: 0.5 } },
        A: gpu({ InterconnectGBs: 900, datasheet: { nvlinkGBs: 900, pcieGBs: null } }),
        B: gpu({
          interconnectgbs: 64,
          v1: { ...BLIS_V1_SECTION, allReduceLinkScale: 2 },
        }),
      },
      'hw.json',
    );
    const a = findGpu(cfg, 'A');
    expect(a.InterconnectGBs).toBe(900);
    expect(v2Params(a)).toMatchObject({ InterconnectGBs: 900, allReduceLinkScale: 1.2, lmHeadScale: 0.5 });
    const b = findGpu(cfg, 'B');
    expect(v1Params(b).params).toMatchObject({ InterconnectGBs: 64, allReduceLinkScale: 2, lmHeadScale: 1 });
    expect(v1Params(b).calibration).toBeUndefined();
    expect(() =>
      parseHardwareConfig({ defaults: { v2: { InterconnectGBs: 900 } }, A: gpu() }, 'hw.json'),
    ).toThrow(/hw.json: 'defaults'.*InterconnectGBs/);
  });
  it('gives every shipped GPU its interconnect', () => {
    for (const g of loadHardwareConfig('hardware_config.json').gpus)
      expect(g.InterconnectGBs, g.key).toBeGreaterThan(0);
  });
});
