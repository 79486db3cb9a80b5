import type { HardwareConfig } from '../config/hardware-config.ts';
import { InputError } from '../errors.ts';
import { type ExportNotes, groupByValue, type ValueGroup } from './types.ts';

export interface CoefficientSet {
  readonly alpha: readonly number[];
  readonly beta: readonly number[];
}

export interface TrainedPhysicsExport extends ExportNotes {
  /** defaults.yaml's one global set: the `defaults` entry's, else the set most GPUs share. */
  readonly global: CoefficientSet;
  /** GPUs whose set differs from the global one, with the flags their runs need. */
  readonly perGpu: readonly ValueGroup[];
}

/** BLIS v0.7.1's run flags for one set (its slot order, as the file keeps it). */
export function coefficientFlags(s: CoefficientSet): string {
  return `--alpha-coeffs ${s.alpha.join(',')} --beta-coeffs ${s.beta.join(',')}`;
}

/**
 * Trained-physics coefficients as BLIS v0.7.1 takes them: `--alpha-coeffs` / `--beta-coeffs`,
 * and defaults.yaml's `trained_physics_coefficients` block. BLIS has one global set; a GPU's
 * own set (ours) goes as that GPU's flags, so nothing is lost. BLIS reads the GPU's peaks
 * from its own hardware_config.json: the ones blis-eval used are listed.
 */
export function trainedPhysicsExport(cfg: HardwareConfig): TrainedPhysicsExport {
  const sets = new Map<string, CoefficientSet>();
  const pairs: [string, string][] = [];
  const incomplete: string[] = [];
  for (const gpu of cfg.gpus) {
    const { alpha, beta } = gpu.trainedPhysics;
    if (alpha === undefined || beta === undefined) {
      incomplete.push(gpu.key);
      continue;
    }
    const flags = coefficientFlags({ alpha, beta });
    sets.set(flags, { alpha, beta });
    pairs.push([gpu.key, flags]);
  }
  if (pairs.length === 0) {
    throw new InputError(
      `${cfg.source}: no GPU has a trainedPhysics set (field 'defaults.trainedPhysics.beta' and '.alpha', or a GPU's own)`,
    );
  }
  const { alpha, beta } = cfg.defaults.trainedPhysics;
  const groups = groupByValue(pairs);
  const global =
    alpha !== undefined && beta !== undefined
      ? { alpha, beta }
      : sets.get(groups.reduce((a, b) => (b.where.length > a.where.length ? b : a)).value)!;
  const globalFlags = coefficientFlags(global);
  const notes = [
    'BLIS v0.7.1: run --latency-model trained-physics --hardware <GPU> --tp <n>, with the block in its ' +
      `defaults.yaml or the flags ${globalFlags}`,
    `peaks blis-eval used (BLIS reads its own hardware_config.json; TFlopsPeak/TFlopsFP8/BwPeakTBs): ${peaks(cfg)}`,
  ];
  if (incomplete.length > 0) notes.push(`no complete set, left out: ${incomplete.join(', ')}`);
  return { global, perGpu: groups.filter((g) => g.value !== globalFlags), lost: [], carried: [], notes };
}

function peaks(cfg: HardwareConfig): string {
  return cfg.gpus
    .map((g) => `${g.key} ${g.TFlopsPeak ?? '-'}/${g.TFlopsFP8 ?? 0}/${g.BwPeakTBs ?? '-'}`)
    .join(', ');
}
