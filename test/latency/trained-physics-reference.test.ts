import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainedPhysicsModel } from '../../src/latency/trained-physics.ts';
import { trainedPhysicsFeatures } from '../../src/latency/trained-physics-features.ts';
import { expandBatch, type TpConfig, tpReference } from '../support/trained-physics.ts';

/**
 * Every case of data/blis/trained_physics_reference.json (BLIS v0.7.1's own StepTime on
 * synthetic batches) must come out to the integer µs from the shipped model_configs/ and each
 * case's hardware figures (BLIS's: H100 FP8 1979, L40S FP8 1466).
 */
const ref = tpReference();
const configOf = (c: { config_dir: string; gpu: string; tp: number }): TpConfig =>
  ref.configs.find((x) => x.config_dir === c.config_dir && x.gpu === c.gpu && x.tp === c.tp)!;
const features = (c: TpConfig) =>
  trainedPhysicsFeatures(
    JSON.parse(readFileSync(join('model_configs', c.config_dir, 'config.json'), 'utf8')),
    c.config_dir,
    c.model,
    c.tp,
  );
const omitCounts = ({ B: _b, T_pf: _p, N_dc: _n, C: _c, ...basis }: Record<string, number>) => basis;
const modelOf = (c: TpConfig) =>
  new TrainedPhysicsModel(features(c), c.hardware, c.tp, ref.beta_coeffs_array, ref.alpha_coeffs_array);

describe('trained-physics features', () => {
  it.each(ref.configs.map((c) => [c.config_dir, c.gpu, c.tp, c] as const))('%s %s TP %i', (_m, _g, _t, c) => {
    const f = features(c);
    const want = c.blis_frozen_features;
    expect({
      dFFDense: f.dFFDense,
      dFFMoE: f.dFFMoE,
      dKV: f.dKV,
      headDim: f.headDim,
      hiddenDim: f.hiddenDim,
      hasInterleavedMoE: f.interleavedMoE,
      isMoE: f.numExperts > 1,
      kEff: f.kEff,
      numDenseLayers: f.numDenseLayers,
      numMoELayers: f.numMoELayers,
      numHeads: f.numHeads,
      numLayers: f.numLayers,
      weightBPP: f.weightBPP,
    }).toEqual({
      dFFDense: want.dFFDense,
      dFFMoE: want.dFFMoE,
      dKV: want.dKV,
      headDim: want.headDim,
      hiddenDim: want.hiddenDim,
      hasInterleavedMoE: want.hasInterleavedMoE,
      isMoE: want.isMoE,
      kEff: want.kEff,
      numDenseLayers: want.numDenseLayers,
      numMoELayers: want.numMoELayers,
      numHeads: want.numHeads,
      numLayers: want.numLayers,
      weightBPP: want.weightBPP,
    });
    if (want.isMoE) expect(f.numExperts).toBe(want.numExperts);
  });
});

describe('trained-physics step time = BLIS v0.7.1', () => {
  const models = new Map(ref.configs.map((c) => [c, modelOf(c)]));
  it.each(ref.cases.map((c) => [c.config_dir, c.gpu, c.tp, c.case, c] as const))(
    '%s %s TP %i %s',
    (_m, _g, _t, _n, c) => {
      const model = models.get(configOf(c))!;
      const batch = expandBatch(c.batch);
      expect(model.stepTime(batch)).toBe(c.step_time_us);
      const t = model.terms(batch);
      const want = c.terms_float_recomputed;
      for (const k of [
        'T_pf_compute_us',
        'T_pf_kv_us',
        'T_dc_compute_us',
        'T_dc_kv_us',
        'T_weight_us',
        'T_tp_us',
      ] as const) {
        expect(t[k], k).toBeCloseTo(want[k]!, 6);
      }
      expect(t.B).toBe(want.B);
      // The breakdown: contributions are β × basis and, summed in order, exactly the step time.
      const b = model.breakdown(batch);
      const sum = Object.values(b.contributions_us).reduce((a, v) => a + v, 0);
      expect(sum).toBe(c.step_time_us);
      expect(b.basis_us).toEqual(omitCounts(t));
      const beta = ref.beta_coeffs_array;
      expect(b.contributions_us.prefill_compute).toBe(beta[0]! * t.T_pf_compute_us);
      expect(b.contributions_us.decode_kv).toBe(beta[9]! * t.T_dc_kv_us);
      expect(b.contributions_us.weights).toBe(beta[2]! * t.T_weight_us);
      // Truncation; an empty batch's 1 µs is all rounding.
      expect(Math.abs(b.contributions_us.rounding!)).toBeLessThan(batch.length === 0 ? 1.001 : 1);
    },
  );
  it('covers all 200 cases of the 10 set-ups', () => {
    expect(ref.cases).toHaveLength(200);
    expect(new Set(ref.cases.map(configOf)).size).toBe(10);
  });
});
