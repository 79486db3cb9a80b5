import type { DefaultsFile } from '../config/coefficients.ts';
import { ambiguityNote, sameGpu } from '../config/gpu-names.ts';
import { type HardwareConfig, lookupGpu, v1Params, v2Params } from '../config/hardware-config.ts';
import { cachedModelArch, clearLatencyCaches } from '../config/latency-factory.ts';
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

/**
 * Bad input an evaluation would otherwise turn into "not applicable" everywhere, which reads
 * like a result: a GPU or model that nothing can resolve (not in the hardware config and no
 * coefficient row names it; no model config and no coefficient row), or the GPU's section of a
 * selected roofline missing a field it needs (named with its file).
 */
export function checkExperiments(inp: PreflightInputs, models: readonly LatencyModelName[]): void {
  const rows = inp.defaults.models;
  inp.experiments.forEach((x, i) => {
    const where = `${inp.source}: experiments[${i}] "${x.name}"`;
    const gpuRow = rows.some((r) => sameGpu(r.GPU, x.gpu));
    const gpu = lookupGpu(inp.hardware, x.gpu);
    if (gpu && models.includes('roofline-v1')) v1Params(gpu);
    if (gpu && models.includes('roofline-v2')) v2Params(gpu);
    if (!gpu && !gpuRow) {
      const ambiguous = ambiguityNote(x.gpu);
      throw new InputError(
        ambiguous
          ? `${where}, field 'hardware': GPU ${ambiguous}`
          : `${where}: unknown GPU '${x.gpu}': not in ${inp.hardware.source} ` +
              `(known: ${inp.hardware.gpus.map((g) => g.key).join(', ')}) nor in any coefficient row of ${inp.paths.coefficients}`,
      );
    }
    const modelRow = rows.some((r) => r.id === x.model.toLowerCase());
    if (!modelRow && modelConfigMissing(inp.paths.modelConfigs, x.model)) {
      throw new InputError(
        `${where}: unknown model '${x.model}': no model config under ${inp.paths.modelConfigs} ` +
          `and no coefficient row in ${inp.paths.coefficients}`,
      );
    }
  });
}

/** True when the model's config.json is not there (a broken one is reported where it loads). */
function modelConfigMissing(root: string, model: string): boolean {
  try {
    cachedModelArch(root, model);
    return false;
  } catch (e) {
    return e instanceof InputError && / not found/.test(e.message);
  }
}

/**
 * Per experiment, which latency models will run it, decided by the evaluator's own
 * resolution (jobLatency), so validate and the main job cannot disagree. The MFU database
 * reports each fallback once per load, so the caches start empty for every experiment.
 */
export function applicability(inp: PreflightInputs, models: readonly LatencyModelName[]): ExperimentCheck[] {
  return inp.experiments.map((x) => {
    clearLatencyCaches();
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
