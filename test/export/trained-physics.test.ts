import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadHardwareConfig, parseHardwareConfig } from '../../src/config/hardware-config.ts';
import { InputError } from '../../src/errors.ts';
import { renderTrainedPhysicsFile } from '../../src/export/render-trained-physics.ts';
import { coefficientFlags, trainedPhysicsExport } from '../../src/export/trained-physics.ts';
import { sharedJson } from '../support/shared.ts';

const blis = sharedJson<{ alpha_coeffs_array: number[]; beta_coeffs_array: number[] }>(
  'data/blis/trained_physics_reference.json',
);
const peaks = { TFlopsPeak: 100, BwPeakTBs: 1 };

describe('export --for blis-trained-physics', () => {
  it("the shipped set is BLIS v0.7.1's, as defaults.yaml's block and as run flags", () => {
    const x = trainedPhysicsExport(loadHardwareConfig('hardware_config.json'));
    expect(x.global).toEqual({ alpha: blis.alpha_coeffs_array, beta: blis.beta_coeffs_array });
    expect(x.perGpu).toEqual([]);
    const text = renderTrainedPhysicsFile(x, 'header');
    expect(parse(text)).toEqual({
      trained_physics_coefficients: {
        alpha_coeffs: blis.alpha_coeffs_array,
        beta_coeffs: blis.beta_coeffs_array,
      },
    });
    expect(text).toContain(`#   --alpha-coeffs ${blis.alpha_coeffs_array.join(',')} --beta-coeffs `);
  });

  it("a GPU's own set goes as that GPU's flags; the block keeps the defaults' set", () => {
    const own = { alpha: [1, 2, 3], beta: [1, 2, 3, 4, 5, 6, 7] };
    const cfg = parseHardwareConfig(
      {
        defaults: { trainedPhysics: { alpha: [10, 20, 30], beta: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0] } },
        A: peaks,
        B: { ...peaks, trainedPhysics: own },
        C: { ...peaks, trainedPhysics: { alpha: own.alpha } },
      },
      'tp.json',
    );
    const x = trainedPhysicsExport(cfg);
    expect(x.global.alpha).toEqual([10, 20, 30]);
    // C takes its alpha and the defaults' beta: a set of its own too.
    expect(x.perGpu).toEqual([
      { value: coefficientFlags(own), where: ['B'] },
      { value: coefficientFlags({ alpha: own.alpha, beta: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0] }), where: ['C'] },
    ]);
    expect(renderTrainedPhysicsFile(x, 'h')).toContain(`#   B: ${coefficientFlags(own)}`);
  });

  it('without a defaults set, the block takes the set most GPUs share', () => {
    const a = { alpha: [1, 1, 1], beta: [1, 1, 1, 1, 1, 1, 1] };
    const b = { alpha: [2, 2, 2], beta: [2, 2, 2, 2, 2, 2, 2] };
    const cfg = parseHardwareConfig(
      {
        X: { ...peaks, trainedPhysics: a },
        Y: { ...peaks, trainedPhysics: b },
        Z: { ...peaks, trainedPhysics: b },
        W: peaks,
      },
      'tp.json',
    );
    const x = trainedPhysicsExport(cfg);
    expect(x.global).toEqual(b);
    expect(x.perGpu).toEqual([{ value: coefficientFlags(a), where: ['X'] }]);
    expect(x.notes).toContain('no complete set, left out: W');
  });

  it('refuses a file where no GPU has a set, naming file and field', () => {
    const cfg = parseHardwareConfig({ X: peaks }, 'none.json');
    expect(() => trainedPhysicsExport(cfg)).toThrow(InputError);
    expect(() => trainedPhysicsExport(cfg)).toThrow(/none\.json: .*trainedPhysics\.beta/);
  });
});
