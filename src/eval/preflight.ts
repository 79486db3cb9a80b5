import { join, relative } from 'node:path';
import type { DefaultsFile } from '../config/coefficients.ts';
import { ambiguityNote, sameGpu } from '../config/gpu-names.ts';
import { type HardwareConfig, lookupGpu, v1Params, v2Params } from '../config/hardware-config.ts';
import { cachedModelArch, clearLatencyCaches } from '../config/latency-factory.ts';
import { modelConfigSource, modelFolderName } from '../config/model-config.ts';
import { InputError } from '../errors.ts';
import type { Experiment } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { jobLatency } from './job-latency.ts';
import type { JobPaths } from './job-types.ts';

/** Whether one latency model will run an experiment, and why not. */
export interface ModelApplicability {
  latencyModel: LatencyModelName;
  applies: boolean;
  /** Why it does not apply; for one that applies, the notes (MFU-shape fallbacks, derived KV blocks). */
  notes: string[];
}

export interface ExperimentCheck {
  name: string;
  models: ModelApplicability[];
}

export interface PreflightInputs {
  /** The ground-truth file, for messages. */
  source: string;
  experiments: readonly Experiment[];
  paths: JobPaths;
  hardware: HardwareConfig;
  defaults: DefaultsFile;
}

/** A path as the user reads it: relative to the working directory when under it. */
const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r === '' || r.startsWith('..') ? p : r;
};

/** Why experiments (indices into the file's list) cannot be evaluated. */
export interface Problem {
  at: number[];
  message: string;
  /** The ground-truth field at fault, when one is. */
  field?: string;
}

/**
 * Every reason the experiments cannot be evaluated, all at once: a GPU or model that nothing
 * resolves (not in the hardware config and no coefficient row names it; no model config and no
 * coefficient row), and the GPU's section of a selected roofline missing a field it needs. A
 * problem shared by several experiments is one entry naming them all.
 */
export function experimentProblems(inp: PreflightInputs, models: readonly LatencyModelName[]): Problem[] {
  const rows = inp.defaults.models;
  const problems = new Map<string, Problem>();
  const add = (i: number, message: string, field?: string) => {
    const key = `${field ?? ''}\u0000${message}`;
    const p = problems.get(key) ?? { at: [], message, ...(field && { field }) };
    p.at.push(i);
    problems.set(key, p);
  };
  inp.experiments.forEach((x, i) => {
    const gpu = lookupGpu(inp.hardware, x.gpu);
    for (const [m, params] of [
      ['roofline-v1', v1Params],
      ['roofline-v2', v2Params],
    ] as const) {
      if (!gpu || !models.includes(m)) continue;
      try {
        params(gpu);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        add(i, e.message);
      }
    }
    if (!gpu && !rows.some((r) => sameGpu(r.GPU, x.gpu))) {
      const ambiguous = ambiguityNote(x.gpu);
      if (ambiguous) add(i, `GPU ${ambiguous}`, 'hardware');
      else
        add(
          i,
          `unknown GPU '${x.gpu}': not in ${inp.hardware.source} ` +
            `(known: ${inp.hardware.gpus.map((g) => g.key).join(', ')}) nor in any coefficient row of ${inp.paths.coefficients}`,
        );
    }
    const modelRow = rows.some((r) => r.id === x.model.toLowerCase());
    if (!modelRow && modelConfigMissing(x, inp.paths)) add(i, unknownModel(x, inp.paths));
  });
  return [...problems.values()];
}

/**
 * One line per problem: `file: experiments[0] "a", [3] "d": message`, each experiment named by
 * its index in the file (`fileIndex` maps an index of `inp.experiments` to it).
 */
export function problemLines(
  inp: Pick<PreflightInputs, 'source' | 'experiments'>,
  problems: readonly Problem[],
  fileIndex: (i: number) => number = (i) => i,
): string[] {
  return problems.map((p) => {
    const names = p.at.map(
      (i, k) => `${k === 0 ? 'experiments' : ''}[${fileIndex(i)}] "${inp.experiments[i]!.name}"`,
    );
    return `${inp.source}: ${names.join(', ')}${p.field ? `, field '${p.field}'` : ''}: ${p.message}`;
  });
}

function unknownModel(x: Experiment, paths: JobPaths): string {
  if (x.modelConfig !== undefined)
    return `model '${x.model}': its model config ${x.modelConfig} is not there`;
  const file = join(shown(paths.modelConfigs), modelFolderName(x.model), 'config.json');
  return (
    `unknown model '${x.model}': no model config under ${paths.modelConfigs} and no coefficient row in ` +
    `${paths.coefficients}; add ${file} (the model's Hugging Face config.json) or pass --model-config <config.json|dir>`
  );
}

/** True when the model's config.json is not there (a broken one is reported where it loads). */
function modelConfigMissing(x: Experiment, paths: JobPaths): boolean {
  try {
    cachedModelArch(modelConfigSource(x, paths.modelConfigs), x.model);
    return false;
  } catch (e) {
    return e instanceof InputError && / not found/.test(e.message);
  }
}

/**
 * The experiments no selected latency model can run, each with every model's reason (models
 * with the same reason on one line), e.g. an OPT model ("unsupported architecture") without
 * a coefficient row, or a model whose attention no latency model represents.
 */
export function inapplicable(checks: readonly ExperimentCheck[]): Problem[] {
  return checks.flatMap((c, i) => {
    if (c.models.some((m) => m.applies)) return [];
    const byReason = new Map<string, string[]>();
    for (const m of c.models) {
      const reason = m.notes.join('; ');
      byReason.set(reason, [...(byReason.get(reason) ?? []), m.latencyModel]);
    }
    const why = [...byReason].map(([reason, ms]) => `${ms.join(', ')}: ${reason}`).join(' | ');
    return [{ at: [i], message: `no latency model applies (${why})` }];
  });
}

/**
 * Per experiment, which latency models will run it, decided by the evaluator's own
 * resolution (jobLatency), so validate and the main job cannot disagree. With `fresh`, the
 * caches start empty for every experiment, so each reports its MFU-table fallbacks (the
 * database reports each once per load).
 */
export function applicability(
  inp: PreflightInputs,
  models: readonly LatencyModelName[],
  fresh = true,
): ExperimentCheck[] {
  return inp.experiments.map((x) => {
    if (fresh) clearLatencyCaches();
    const { replays, ...experiment } = x;
    const replay = replays[0]!;
    return {
      name: x.name,
      models: models.map((latencyModel) => {
        const notes: string[] = [];
        const r = jobLatency(
          { experiment, replay, latencyModel, seedIndex: 0, paths: inp.paths, kvLeak: 'fixed' },
          (m) => notes.push(m),
        );
        if (!r.ok) return { latencyModel, applies: false, notes: [r.reason] };
        if (r.derivedKVBlocks) notes.push(`KV blocks derived from GPU memory: ${r.kvBlocks}`);
        return { latencyModel, applies: true, notes: [...new Set(notes)] };
      }),
    };
  });
}
