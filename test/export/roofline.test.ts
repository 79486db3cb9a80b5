import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMfuDatabase } from '../../src/config/bench-data.ts';
import {
  findGpu,
  loadHardwareConfig,
  parseHardwareConfig,
  v2Params,
} from '../../src/config/hardware-config.ts';
import { buildRooflineModel, clearLatencyCaches } from '../../src/config/latency-factory.ts';
import { InputError } from '../../src/errors.ts';
import type { RooflineKind } from '../../src/export/fields.ts';
import { renderRooflineFile } from '../../src/export/render-roofline.ts';
import { rooflineExport } from '../../src/export/roofline.ts';
import { RooflineV2Model } from '../../src/latency/roofline-v2.ts';
import type { MfuDatabase } from '../../src/mfu/database.ts';
import {
  blisHardwareFiles,
  reference,
  referenceArch,
  scenarioBatch,
  v1ReferenceMisses,
} from '../support/roofline.ts';

const ref = reference();
const blisFiles = blisHardwareFiles();
const BLIS_V061 = 'hardware_config.blis-v0.6.1.json';
const arch = referenceArch;
/** The exported file as our loader reads it back. */
const reread = (kind: RooflineKind) =>
  parseHardwareConfig(
    JSON.parse(renderRooflineFile(rooflineExport(loadHardwareConfig(BLIS_V061), kind).entries)),
    'exported',
  );
const withoutComments = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('_')));

beforeAll(() => clearLatencyCaches());

describe("export of BLIS v0.6.1's values: BLIS's own files come out", () => {
  it('roofline-v1: every GPU of v0.6.1’s hardware_config.json, field for field and in its order', () => {
    const file = JSON.parse(
      renderRooflineFile(rooflineExport(loadHardwareConfig(BLIS_V061), 'roofline-v1').entries),
    );
    for (const [gpu, want] of Object.entries(blisFiles['v0.6.1']!)) {
      const { MemoryGiB: _, ...got } = withoutComments(file[gpu]);
      expect(Object.keys(got), gpu).toEqual(Object.keys(want));
      expect(got, gpu).toEqual(want);
    }
  });

  it("roofline-v2: every GPU of the roofline branch's file (A100-80 and A100-SXM as alias entries)", () => {
    const file = JSON.parse(
      renderRooflineFile(rooflineExport(loadHardwareConfig(BLIS_V061), 'roofline-v2').entries),
    );
    for (const [gpu, want] of Object.entries(blisFiles['roofline-go-and-hypotheses_branch']!)) {
      expect(withoutComments(file[gpu]), gpu).toEqual(withoutComments(want));
    }
    expect(file['A100-80']._comment).toBe('alias of A100-80GB');
  });

  it('roofline-v1: the exported file reproduces all 192 of v0.6.1’s reference step times', () => {
    expect(v1ReferenceMisses(ref, reread('roofline-v1'))).toEqual({ rows: 192, misses: [] });
  });

  it("roofline-v2: the exported file reproduces the roofline branch's reference step times", () => {
    const cfg = reread('roofline-v2');
    // BLIS's GEMM shape fallback, as the reference steps were computed with it.
    const db: MfuDatabase = loadMfuDatabase('bench_data', 'H100', { gemmFallback: 'blis' });
    for (const [model, tp, scenario, want] of ref.v2_branch.rows) {
      const m = new RooflineV2Model(arch(model), v2Params(findGpu(cfg, 'H100')), tp, db);
      expect(m.stepTime(scenarioBatch(ref, scenario)), `${model} ${tp} ${scenario}`).toBe(want);
    }
  });
});

const CALIBRATION = {
  defaults: {
    v1: {
      mfuPrefill: 0.6,
      mfuDecode: 0.2,
      TOverheadMicros: 2,
      requestOverheadMicros: 7000,
      ttftDecodeSteps: 0.5,
      tpScalingExponent: 1.1,
    },
    v2: {
      bwEfficiencyFactor: 0.7,
      perLayerOverhead: 5,
      gemmMfuScale: 1.5,
      attentionMfuScale: 1,
      requestOverheadMicros: 7500,
      ttftDecodeSteps: 1,
      allReduceMicros: 6,
    },
  },
  G1: {
    aliases: ['G1-SXM'],
    TFlopsPeak: 900,
    TFlopsFP8: 1800,
    BwPeakTBs: 3,
    MemoryGiB: 80,
    v1: { BwEffConstant: 0.72, perLayerOverhead: 20, allReduceLatency: 20 },
    v2: {},
  },
  G2: {
    TFlopsPeak: 300,
    TFlopsFP8: 0,
    BwPeakTBs: 2,
    v1: { BwEffConstant: 0.7, perLayerOverhead: 10, allReduceLatency: 15, ttftDecodeSteps: 0.25 },
    v2: { bwEfficiencyFactor: 0.8 },
  },
};

describe('export of a calibration with fields of ours', () => {
  const cfg = parseHardwareConfig(CALIBRATION, 'cal.json');

  it('roofline-v2: resolves defaults into every GPU, lists lost fields, carries the request overhead as α0', () => {
    const x = rooflineExport(cfg, 'roofline-v2');
    expect(x.entries.map((e) => [e.name, e.aliasOf])).toEqual([
      ['G1', undefined],
      ['G1-SXM', 'G1'],
      ['G2', undefined],
    ]);
    expect(x.entries[0]!.fields).toEqual({
      TFlopsPeak: 900,
      BwPeakTBs: 3,
      bwEfficiencyFactor: 0.7,
      perLayerOverhead: 5,
      MemoryGiB: 80,
    });
    expect(x.entries[2]!.fields).toEqual({
      TFlopsPeak: 300,
      BwPeakTBs: 2,
      bwEfficiencyFactor: 0.8,
      perLayerOverhead: 5,
    });
    // attentionMfuScale 1 and G2's TFlopsFP8 0 are neutral: nothing is lost by leaving them out.
    expect(x.lost.map((f) => [f.field, f.values])).toEqual([
      ['TFlopsFP8', [{ value: '1800', where: ['G1'] }]],
      ['gemmMfuScale', [{ value: '1.5', where: ['G1', 'G2'] }]],
      ['ttftDecodeSteps', [{ value: '1', where: ['G1', 'G2'] }]],
      ['allReduceMicros', [{ value: '6', where: ['G1', 'G2'] }]],
    ]);
    expect(x.carried).toEqual([
      { field: 'requestOverheadMicros', values: [{ value: '--alpha-coeffs 7500,0,0', where: ['G1', 'G2'] }] },
    ]);
    expect(x.subset).toMatchObject({ G1: { requestOverheadMicros: 7500, aliases: ['G1-SXM'] } });
  });

  it('roofline-v1: the request overhead is lost (v0.6.1 runs blackbox when α is given), per-GPU values grouped', () => {
    const x = rooflineExport(cfg, 'roofline-v1');
    const lost = Object.fromEntries(x.lost.map((f) => [f.field, f.values]));
    expect(lost.requestOverheadMicros).toEqual([{ value: '7000', where: ['G1', 'G2'] }]);
    expect(lost.ttftDecodeSteps).toEqual([
      { value: '0.5', where: ['G1'] },
      { value: '0.25', where: ['G2'] },
    ]);
    expect(lost.tpScalingExponent).toEqual([{ value: '1.1', where: ['G1', 'G2'] }]);
    expect(x.carried).toEqual([]);
    expect(x.entries[2]!.fields).toMatchObject({ BwEffConstant: 0.7, mfuPrefill: 0.6, TOverheadMicros: 2 });
  });

  it('has no subset to measure when every field left out is neutral', () => {
    const plain = parseHardwareConfig(
      { G: { TFlopsPeak: 1, BwPeakTBs: 1, TFlopsFP8: 0, v2: { gemmMfuScale: 1, requestOverheadMicros: 5 } } },
      'plain.json',
    );
    const x = rooflineExport(plain, 'roofline-v2');
    expect(x.lost).toEqual([]);
    expect(x.subset).toBeNull();
  });

  it('refuses a GPU without a field the roofline needs, naming file, GPU and field', () => {
    const broken = parseHardwareConfig(
      { G: { TFlopsPeak: 1, BwPeakTBs: 1, v1: { mfuPrefill: 0.5 } } },
      'b.json',
    );
    expect(() => rooflineExport(broken, 'roofline-v1')).toThrow(InputError);
    expect(() => rooflineExport(broken, 'roofline-v1')).toThrow(/b\.json: GPU 'G' \(v1\): missing field/);
  });
});

/**
 * The subset the export measures is our model with the fields BLIS lacks set neutral: the
 * shipped calibration with those fields written as their neutral values (not removed) gives
 * the same step times, first-token lag and queueing delay as the subset's config.
 */
describe('the exported subset is the shipped calibration with its fields of ours neutral', () => {
  const NEUTRAL: Record<string, number> = {
    TFlopsFP8: 0,
    gemmMfuScale: 1,
    decodeGemmMfuScale: 1,
    attentionMfuScale: 1,
    stepOverheadMicros: 0,
    ttftDecodeSteps: 0,
    allReduceMicros: 0,
    allReduceMicrosPerMB: 0,
    allReduceLinkScale: 0,
  };
  const dir = mkdtempSync(join(tmpdir(), 'export-neutral-'));
  const shipped = JSON.parse(readFileSync('hardware_config.json', 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const neutral = Object.fromEntries(
    Object.entries(shipped).map(([k, e]) =>
      k === 'defaults' ? [k, e] : [k, { ...e, v2: { ...(e.v2 as object), ...NEUTRAL } }],
    ),
  );
  const x = rooflineExport(loadHardwareConfig('hardware_config.json'), 'roofline-v2');
  const paths = { neutral: join(dir, 'neutral.json'), subset: join(dir, 'subset.json') };
  writeFileSync(paths.neutral, JSON.stringify(neutral));
  writeFileSync(paths.subset, JSON.stringify(x.subset));
  const batches = ['prefill512', 'prefill2048', 'decode32_kv512', 'decode128_kv2048', 'mixed_p256_d16kv1000'];

  it.each([
    ['llama-3.1-8b-instruct', 1],
    ['llama-3.1-8b-instruct', 2],
    ['llama-4-scout-17b-16e-instruct-fp8-dynamic', 4],
  ])('%s TP %i', (model, tp) => {
    expect(x.subset).not.toBeNull();
    const build = (path: string) =>
      buildRooflineModel({
        kind: 'roofline-v2',
        model,
        modelConfigPath: 'model_configs',
        hardwareConfigPath: path,
        gpu: 'H100',
        tp,
        benchDataPath: 'bench_data',
      }).model;
    const [a, b] = [build(paths.neutral), build(paths.subset)];
    const full = build('hardware_config.json');
    expect(b.ttftDecodeSteps ?? 0).toBe(a.ttftDecodeSteps ?? 0);
    expect(b.queueingTime(100)).toBe(a.queueingTime(100));
    let differs = 0;
    for (const s of batches) {
      const batch = scenarioBatch(ref, s);
      expect(b.stepTime(batch), s).toBe(a.stepTime(batch));
      if (full.stepTime(batch) !== b.stepTime(batch)) differs++;
    }
    // …and the fields do matter: the full calibration computes otherwise.
    expect(differs).toBeGreaterThan(0);
  });
});
