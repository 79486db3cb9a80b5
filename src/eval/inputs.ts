import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DefaultsFile } from '../config/coefficients.ts';
import type { HardwareConfig } from '../config/hardware-config.ts';
import { cachedDefaults, cachedHardwareConfig, clearLatencyCaches } from '../config/latency-factory.ts';
import { InputError } from '../errors.ts';
import { type GroundTruth, loadGroundTruth } from '../groundtruth/load.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { selectExperiments } from './experiment-filter.ts';
import type { JobPaths } from './job-types.ts';
import { bindModelConfigs } from './model-config-args.ts';
import {
  applicability,
  type ExperimentCheck,
  experimentProblems,
  inapplicable,
  type Problem,
  problemLines,
} from './preflight.ts';
import type { InputSettings } from './settings.ts';
import type { InputVersion } from './types.ts';

export interface LoadedInputs {
  /** The experiments --only / --exclude select, with their --model-config bindings. */
  gt: GroundTruth;
  paths: JobPaths;
  hardware: HardwareConfig;
  defaults: DefaultsFile;
  /** Which latency models apply to each experiment (with `applicable`). */
  checks?: ExperimentCheck[];
}

export interface LoadOptions {
  /** Every experiment needs a selected latency model that applies (validate, the evaluator). */
  applicable?: boolean;
  /** Fresh caches per experiment, so each check lists its own MFU-table fallbacks (validate). */
  freshChecks?: boolean;
}

/**
 * A session's inputs, loaded and checked once: the ground truth (the experiments --only and
 * --exclude select, with --model-config applied), the paths the user gave (they must exist),
 * the hardware config and the coefficient table (a broken file is bad input, not "not
 * applicable" on every point), every experiment's GPU and model known to something, with the
 * hardware fields the selected `models` need, and, with `applicable`, a latency model that
 * runs it (preflight.ts). Every problem is listed at once, one line each. The config caches
 * start empty, so a session reads the files as they are now.
 */
export function loadInputs(
  s: InputSettings,
  models: readonly LatencyModelName[],
  opts: LoadOptions = {},
): LoadedInputs {
  const file = loadGroundTruth(s.groundTruth, s.workloadForm);
  const bound = bindModelConfigs(file.experiments, s.modelConfigArgs ?? []);
  const gt = { path: file.path, experiments: selectExperiments(bound, s, file.path) };
  for (const key of s.explicit) {
    if (!existsSync(s[key])) throw new InputError(`${s[key]}: not found`);
  }
  clearLatencyCaches();
  const inputs = {
    paths: {
      hardwareConfig: s.hardwareConfig,
      modelConfigs: s.modelConfigs,
      benchData: s.benchData,
      coefficients: s.coefficients,
      ...(s.mfuTransfer && { mfuTransfer: true }),
    },
    hardware: cachedHardwareConfig(s.hardwareConfig),
    defaults: cachedDefaults(s.coefficients),
  };
  const inp = { source: gt.path, experiments: gt.experiments, ...inputs };
  const inFile = new Map(file.experiments.map((x, i) => [x.name, i]));
  const refuse = (problems: readonly Problem[]) =>
    refuseAll(
      problemLines(inp, problems, (i) => inFile.get(gt.experiments[i]!.name)!),
      gt.path,
    );
  const problems: Problem[] = experimentProblems(inp, models);
  if (!opts.applicable) {
    refuse(problems);
    return { gt, ...inputs };
  }
  const checks = applicability(inp, models, opts.freshChecks === true);
  const named = new Set(problems.flatMap((p) => p.at));
  refuse([...problems, ...inapplicable(checks).filter((p) => !named.has(p.at[0]!))]);
  return { gt, ...inputs, checks };
}

/** One error listing every problem, one line each. */
function refuseAll(lines: readonly string[], source: string): void {
  if (lines.length === 0) return;
  const head = lines.length > 1 ? [`${source}: ${lines.length} problems:`] : [];
  const hint = '(--exclude <name|glob> or --only <name|glob> leaves experiments out)';
  throw new InputError([...head, ...lines, hint].join('\n'));
}

/**
 * Content versions of the five inputs, paths shown relative to the working directory. The
 * experiments' own model configs (from the file or --model-config) join the model configs'
 * hash, so a report names every config it read.
 */
export function inputVersions(s: InputSettings, experiments: readonly { modelConfig?: string }[] = []) {
  const shown = (p: string) => relative(process.cwd(), p) || '.';
  const v = (p: string) => inputVersion(p, shown(p));
  const own = [...new Set(experiments.flatMap((x) => (x.modelConfig ? [x.modelConfig] : [])))].sort();
  const root = v(s.modelConfigs);
  const modelConfigs =
    own.length === 0
      ? root
      : {
          path: `${root.path} + ${own.map(shown).join(' + ')}`,
          sha256: createHash('sha256')
            .update([root, ...own.map((p) => v(p))].map((i) => `${i.path}\0${i.sha256}`).join('\0'))
            .digest('hex'),
        };
  return {
    groundTruth: v(s.groundTruth),
    hardwareConfig: v(s.hardwareConfig),
    benchData: v(s.benchData),
    modelConfigs,
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
