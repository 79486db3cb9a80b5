import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMfuDatabase } from '../../src/config/bench-data.ts';
import {
  findGpu,
  loadHardwareConfig,
  parseHardwareConfig,
  v1Params,
  v2Params,
} from '../../src/config/hardware-config.ts';
import { buildRooflineModel, clearLatencyCaches } from '../../src/config/latency-factory.ts';
import { RooflineV1CalibratedModel } from '../../src/latency/roofline-v1-calibrated.ts';
import { RooflineV2Model } from '../../src/latency/roofline-v2.ts';
import type { MfuDatabase } from '../../src/mfu/database.ts';
import {
  blisHardwareFiles,
  MODEL_FOLDERS,
  reference,
  referenceArch,
  scenarioBatch,
  v1ReferenceMisses,
} from '../support/roofline.ts';
import { SHARED } from '../support/shared.ts';

/**
 * Every value of data/blis/roofline_reference.json (step times of the original Go code) must come
 * out exactly, in integer µs, from hardware_config.blis-v0.6.1.json (BLIS v0.6.1's values), model_configs/ and bench_data/.
 */
const ref = reference();
const blisHw = blisHardwareFiles();
const arch = referenceArch;

beforeAll(() => clearLatencyCaches());

describe('roofline v1 (v0.6.1) with hardware_config.blis-v0.6.1.json (BLIS v0.6.1 values)', () => {
  it.each(ref['v1_v0.6.1'].rows)('%s %s TP %i %s = %i µs', (model, gpu, tp, scenario, want) => {
    const { model: m, variant } = buildRooflineModel({
      kind: 'roofline-v1',
      model: MODEL_FOLDERS[model]!,
      modelConfigPath: 'model_configs',
      hardwareConfigPath: 'hardware_config.blis-v0.6.1.json',
      gpu,
      tp,
    });
    expect(variant).toBe('v1');
    expect(m.stepTime(scenarioBatch(ref, scenario))).toBe(want);
  });
});

describe("roofline v1 with BLIS's own flat v0.6.1 hardware_config.json", () => {
  const cfg = parseHardwareConfig(blisHw['v0.6.1'], 'hardware_configs.json[v0.6.1]');
  it('reproduces all 192 reference step times', () => {
    expect(v1ReferenceMisses(ref, cfg)).toEqual({ rows: 192, misses: [] });
  });
});

describe('calibrated roofline v1 (optroofline)', () => {
  const cols = ref.optroofline_branch.columns;
  const cases = ref.optroofline_branch.rows.flatMap((row) =>
    cols.slice(1).map((scenario, i) => [row[0]!, scenario, row[i + 1]!] as const),
  );
  const flat = parseHardwareConfig(blisHw.optroofline_branch, 'hardware_configs.json[optroofline]');
  // The seed integration's capitalised names for the same values.
  const seedStyle: Record<string, number> = {};
  for (const [k, v] of Object.entries(blisHw.optroofline_branch!.H100!)) {
    seedStyle[k.charAt(0).toUpperCase() + k.slice(1)] = v;
  }
  const seed = parseHardwareConfig({ H100: seedStyle }, 'seed-style');

  it.each(cases)('TP %i %s = %i µs (BLIS names and seed names)', (tp, scenario, want) => {
    for (const cfg of [flat, seed]) {
      const { params, calibration } = v1Params(findGpu(cfg, 'H100'));
      expect(calibration).toBeDefined();
      const m = new RooflineV1CalibratedModel(arch('llama-3.1-8b'), params, calibration!, tp);
      expect(m.stepTime(scenarioBatch(ref, scenario))).toBe(want);
    }
  });

  it('selects the calibrated variant through the factory when a v1 section has calibration fields', () => {
    expect(seedStyle.TpScalingExponent).toBe(0.3);
    expect(v1Params(findGpu(seed, 'h100')).calibration?.prefillBwFactor).toBe(0.75);
  });
});

describe('roofline v2 (MFU database)', () => {
  const hwRef = ref.v2_branch.hardware;
  let shipped: MfuDatabase;
  let original: MfuDatabase;
  beforeAll(() => {
    // BLIS's GEMM shape fallback: the reference steps of models with dff > 11008 or K > 8192 use it.
    shipped = loadMfuDatabase('bench_data', 'H100', { gemmFallback: 'blis' });
    original = loadMfuDatabase(join(SHARED, 'data/bench_data_reference/blis_h100'), 'H100', {
      gemmFallback: 'blis',
    });
  });

  it('the shipped v2 sections hold the roofline-branch values', () => {
    const cfg = loadHardwareConfig('hardware_config.blis-v0.6.1.json');
    const h100 = v2Params(findGpu(cfg, 'H100'));
    expect(h100).toMatchObject({
      TFlopsPeak: 989.5,
      BwPeakTBs: 3.35,
      bwEfficiencyFactor: 0.82,
      perLayerOverhead: 100,
    });
    const a100 = v2Params(findGpu(cfg, 'A100-SXM'));
    expect(a100).toMatchObject({
      TFlopsPeak: 312,
      BwPeakTBs: 2.039,
      bwEfficiencyFactor: 0.8,
      perLayerOverhead: 100,
    });
    for (const gpu of ['H100', 'A100-SXM']) {
      const { params, calibration } = v1Params(findGpu(cfg, gpu));
      expect(calibration).toBeUndefined();
      expect(params).toMatchObject(blisHw['v0.6.1']![gpu]!);
    }
  });

  it.each(ref.v2_branch.rows)('%s TP %i %s = %i µs', (model, tp, scenario, want) => {
    const batch = scenarioBatch(ref, scenario);
    const { model: m, variant } = buildRooflineModel({
      kind: 'roofline-v2',
      model: MODEL_FOLDERS[model]!,
      modelConfigPath: 'model_configs',
      hardwareConfigPath: 'hardware_config.blis-v0.6.1.json',
      gpu: 'H100',
      tp,
      benchDataPath: 'bench_data',
      gemmFallback: 'blis',
    });
    expect(variant).toBe('v2');
    expect(m.stepTime(batch)).toBe(want);
    // The same from the original BLIS-layout tables and the reference's own hardware figures.
    const direct = new RooflineV2Model(
      arch(model),
      { ...hwRef, TFlopsPeak: 989.5, BwPeakTBs: 3.35 },
      tp,
      original,
    );
    expect(direct.stepTime(batch)).toBe(want);
    expect(
      new RooflineV2Model(
        arch(model),
        v2Params(findGpu(parseHardwareConfig({ H100: hwRef }, 'r'), 'H100')),
        tp,
        shipped,
      ).stepTime(batch),
    ).toBe(want);
  });

  it.each(ref.v2_branch['mfu_lookups_llama-3.1-8b'].rows)('MFU lookup %s %s', (kind, ...rest) => {
    const want = rest.pop() as number;
    const a = rest as number[];
    for (const db of [shipped, original]) {
      const got =
        kind === 'gemm'
          ? db.gemmMfu(a[0]!, a[1]!, a[2]!)
          : kind === 'dec'
            ? db.decodeMfu('32-8-128', a[0]!, a[1]!, a[2]!)
            : db.prefillMfu('32-8-128', a[0]!);
      // The reference prints 10 significant digits.
      expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * 1e-9);
    }
  });
});
