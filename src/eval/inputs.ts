import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InputSettings } from '../commands/eval-options.ts';
import type { DefaultsFile } from '../config/coefficients.ts';
import type { HardwareConfig } from '../config/hardware-config.ts';
import { cachedDefaults, cachedHardwareConfig, clearLatencyCaches } from '../config/latency-factory.ts';
import { InputError } from '../errors.ts';
import { type GroundTruth, loadGroundTruth } from '../groundtruth/load.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { JobPaths } from './job-types.ts';
import { checkExperiments } from './preflight.ts';
import type { InputVersion } from './types.ts';

export interface LoadedInputs {
  gt: GroundTruth;
  paths: JobPaths;
  hardware: HardwareConfig;
  defaults: DefaultsFile;
}

/**
 * A session's inputs, loaded and checked once: the ground truth, the paths the user gave
 * (they must exist), the hardware config and the coefficient table (a broken file is bad
 * input, not "not applicable" on every point), and every experiment's GPU and model are
 * known to something, with the hardware fields the selected `models` need (preflight.ts). The config caches start empty, so a
 * session reads the files as they are now.
 */
export function loadInputs(s: InputSettings, models: readonly LatencyModelName[]): LoadedInputs {
  const gt = loadGroundTruth(s.groundTruth, s.workloadForm);
  for (const key of s.explicit) {
    if (!existsSync(s[key])) throw new InputError(`${s[key]}: not found`);
  }
  clearLatencyCaches();
  const inputs = {
    gt,
    paths: {
      hardwareConfig: s.hardwareConfig,
      modelConfigs: s.modelConfigs,
      benchData: s.benchData,
      coefficients: s.coefficients,
    },
    hardware: cachedHardwareConfig(s.hardwareConfig),
    defaults: cachedDefaults(s.coefficients),
  };
  checkExperiments({ source: gt.path, experiments: gt.experiments, ...inputs }, models);
  return inputs;
}

/** Content versions of the five inputs, paths shown relative to the working directory. */
export function inputVersions(s: InputSettings) {
  const shown = (p: string) => relative(process.cwd(), p) || '.';
  const v = (p: string) => inputVersion(p, shown(p));
  return {
    groundTruth: v(s.groundTruth),
    hardwareConfig: v(s.hardwareConfig),
    benchData: v(s.benchData),
    modelConfigs: v(s.modelConfigs),
    coefficients: v(s.coefficients),
  };
}

/**
 * Content hash of an input file or folder (sorted relative paths and contents), so a
 * report names exactly what it measured. A missing path hashes as "missing".
 */
export function inputVersion(path: string, shownAs = path): InputVersion {
  if (!existsSync(path)) return { path: shownAs, sha256: 'missing' };
  const h = createHash('sha256');
  if (statSync(path).isDirectory()) {
    for (const file of listFiles(path)) {
      h.update(relative(path, file).split('\\').join('/'));
      h.update('\0');
      h.update(readFileSync(file));
      h.update('\0');
    }
  } else {
    h.update(readFileSync(path));
  }
  return { path: shownAs, sha256: h.digest('hex') };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** A short, deterministic id of a run's inputs and options. */
export function runIdOf(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}
