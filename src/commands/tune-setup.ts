import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS_KEY, findGpu } from '../config/hardware-config.ts';
import { inheritEverywhere, updateHardwareConfigText } from '../config/hardware-config-write.ts';
import { cachedHardwareConfig, cachedModelArch, deriveKvBlocksFor } from '../config/latency-factory.ts';
import { modelConfigSource } from '../config/model-config.ts';
import { InputError } from '../errors.ts';
import type { InputSettings } from '../eval/settings.ts';
import { METRICS, type Metric } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { fileStamp } from '../paths.ts';
import { parseCv } from '../tune/folds.ts';
import type { ObjectiveSpec } from '../tune/objective-types.ts';
import type { TuneOutcome } from '../tune/outcome.ts';
import { calibrationOf } from '../tune/scorer.ts';
import { ALL_GPUS_SCOPE, type TuneSettings } from '../tune/session.ts';
import { loadGridFile, type ParamSpec, parseParamFlag, round } from '../tune/space.ts';
import { defaultsWithRow, withFitAssumptions } from '../tune/writeback.ts';
import { int } from './eval-options.ts';

/** Validated `tune` settings from the raw flags. */
export function tuneSettings(
  raw: Record<string, unknown>,
  base: InputSettings,
  extra: { objective: Metric[]; maxEvals: number },
): TuneSettings {
  const model = raw.latencyModel as LatencyModelName | undefined;
  if (!model)
    throw new InputError(
      '--latency-model is required (roofline-v1, roofline-v2, blackbox or trained-physics)',
    );
  if (typeof raw.hardware !== 'string') throw new InputError('--hardware <gpu> is required');
  // Absent = the latency model's default space, resolved by the tuning session. A pinned
  // `--param name=value` joins whichever space is searched; a ranged one replaces the default.
  let params: ParamSpec[] | undefined;
  const given = ((raw.param as string[] | undefined) ?? []).map((f) => parseParamFlag(model, f));
  const pinned = given.filter((p) => p.lo === p.hi);
  const ranged = given.filter((p) => p.lo !== p.hi);
  if (typeof raw.grid === 'string') params = loadGridFile(model, raw.grid);
  if (ranged.length > 0) {
    params = [...(params ?? []).filter((p) => !ranged.some((g) => g.name === p.name)), ...ranged];
  }
  let tp: number | undefined;
  if (model === 'blackbox') {
    if (typeof raw.model !== 'string')
      throw new InputError('--model <id> is required with --latency-model blackbox');
    tp = Number(raw.tp ?? 1);
    if (!Number.isInteger(tp) || tp < 1)
      throw new InputError(`--tp must be a positive integer, got '${raw.tp}'`);
  }
  let shard: TuneSettings['shard'];
  if (typeof raw.shard === 'string') {
    const m = /^(\d+)\/(\d+)$/.exec(raw.shard);
    const k = Number(m?.[1]);
    const n = Number(m?.[2]);
    if (!m || k < 1 || k > n) throw new InputError(`--shard '${raw.shard}': expected k/N with 1 <= k <= N`);
    shard = { k, n };
  }
  const coeffs = coeffFlags(raw, model);
  const fidelity = raw.fidelity === undefined ? DEFAULT_FIDELITY : parseFidelity(raw.fidelity);
  const resume = typeof raw.resume === 'string';
  const stamp = fileStamp();
  const dir = resume
    ? (raw.resume as string)
    : typeof raw.out === 'string'
      ? raw.out
      : join('reports', `tune-${stamp}${shard ? `-shard${shard.k}of${shard.n}` : ''}`);
  return {
    ...base,
    latencyModel: model,
    hardware: raw.hardware,
    ...(typeof raw.model === 'string' && { model: raw.model }),
    ...(tp !== undefined && { tp }),
    ...(params && { params }),
    ...(pinned.length > 0 && { pinned }),
    objective: extra.objective,
    cv: parseCv(
      typeof raw.cv === 'string' ? raw.cv : model === 'blackbox' ? 'k-fold:5' : 'leave-one-model-out',
    ),
    ...(objectiveSpec(raw) ?? {}),
    maxEvals: extra.maxEvals,
    method: (raw.method as TuneSettings['method']) ?? 'auto',
    ...(raw.race !== undefined && { race: parseRace(raw.race) }),
    fidelity,
    ...(raw.polish !== undefined && { polish: parsePolish(raw.polish, fidelity) }),
    ...(raw.includeFailing === true && { includeFailing: true }),
    ...((typeof raw.write === 'string' || raw.dryRun === true) && {
      output: {
        ...(typeof raw.write === 'string' && { write: raw.write }),
        ...(raw.dryRun === true && { dryRun: true }),
      },
    }),
    force: raw.force === true,
    dir,
    resume,
    ...(shard && { shard }),
    ...(coeffs && { coeffs }),
  };
}

/** --beta-coeffs / --alpha-coeffs (comma-separated), trained-physics only. */
function coeffFlags(raw: Record<string, unknown>, model: LatencyModelName): TuneSettings['coeffs'] {
  const out: { beta?: number[]; alpha?: number[] } = {};
  for (const which of ['beta', 'alpha'] as const) {
    const text = raw[`${which}Coeffs`];
    if (typeof text !== 'string') continue;
    if (model !== 'trained-physics')
      throw new InputError(`--${which}-coeffs: only with --latency-model trained-physics`);
    const values = text.split(',').map((x) => Number(x.trim()));
    if (values.some((v) => !Number.isFinite(v)))
      throw new InputError(`--${which}-coeffs '${text}': expected comma-separated numbers`);
    out[which] = values;
  }
  return out.beta || out.alpha ? out : undefined;
}

/** `--objective-agg` and `--objective-weights metric=w,…`; undefined when both are defaults. */
function objectiveSpec(raw: Record<string, unknown>): { objectiveSpec: ObjectiveSpec } | undefined {
  const agg = (raw.objectiveAgg as ObjectiveSpec['agg'] | undefined) ?? 'mean';
  const weights: ObjectiveSpec['weights'] = {};
  if (typeof raw.objectiveWeights === 'string') {
    for (const part of raw.objectiveWeights.split(',')) {
      const m = /^([a-z0-9_]+)=([0-9.eE+-]+)$/.exec(part.trim());
      const w = Number(m?.[2]);
      if (!m || !(METRICS as readonly string[]).includes(m[1]!) || !Number.isFinite(w) || w < 0) {
        throw new InputError(
          `--objective-weights '${part}': expected metric=weight with a metric of ${METRICS.join(', ')} and weight >= 0`,
        );
      }
      weights[m[1] as Metric] = w;
    }
  }
  if (agg === 'mean' && Object.keys(weights).length === 0) return undefined;
  return { objectiveSpec: { agg, weights } };
}

/** `--fidelity <f>`: 0 < f <= 1. */
function parseFidelity(v: unknown): number {
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !(x > 0 && x <= 1)) {
    throw new InputError(`--fidelity '${String(v)}': expected a fraction in (0, 1], e.g. 0.2`);
  }
  return x;
}

/**
 * The searches' default fidelity: the first 10 % of each stage (several times cheaper per
 * candidate; what is reported, and the final polish, are full replays). `--fidelity 1`
 * searches on full replays, as before.
 */
export const DEFAULT_FIDELITY = 0.1;

/** `--polish <n>`: refines a partial-replay search, so it needs `--fidelity` below 1. */
function parsePolish(v: unknown, fidelity: number): number {
  const n = int('polish', v, 0);
  if (n > 0 && fidelity >= 1) {
    throw new InputError(
      `--polish ${n}: needs --fidelity below 1 (it refines a search on partial replays with full ones)`,
    );
  }
  return n;
}

/** `--race <margin>` (a fraction >= 0) or `--race off`. */
function parseRace(v: unknown): number | null {
  if (v === 'off') return null;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x) || x < 0) {
    throw new InputError(`--race '${String(v)}': expected a margin >= 0 (e.g. 0.2) or off`);
  }
  return x;
}

export interface WriteBackPlan {
  target: string;
  oldText: string;
  newText: string;
  values: Record<string, number>;
}

/** The file the fit goes into and its new text (the tuned fields, and those withFitAssumptions names). */
export function writeBackPlan(s: TuneSettings, o: TuneOutcome, raw: Record<string, unknown>): WriteBackPlan {
  const best = { ...o.start.values, ...o.result!.final.search.best };
  const values = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round(v)]));
  if (s.latencyModel === 'trained-physics') {
    // Where the GPU's set came from: its own entry, else the file's defaults (one global set, as BLIS fits).
    const target = typeof raw.write === 'string' ? raw.write : s.hardwareConfig;
    const own = !o.gpu.inherited.some((f) => f.startsWith('trainedPhysics.'));
    const { beta, alpha } = calibrationOf('trainedPhysics', values).trainedPhysics!;
    const oldText = readFileSync(target, 'utf8');
    const newText = updateHardwareConfigText(oldText, own ? o.gpu.key : DEFAULTS_KEY, 'trainedPhysics', {
      beta: beta!,
      alpha: alpha!,
    });
    const tuned = Object.fromEntries(o.params.map((p) => [p.name, values[p.name]!]));
    return { target, oldText, newText, values: tuned };
  }
  if (s.latencyModel !== 'blackbox') {
    const target = typeof raw.write === 'string' ? raw.write : s.hardwareConfig;
    const section = s.latencyModel === 'roofline-v2' ? 'v2' : 'v1';
    const tuned = Object.fromEntries(o.params.map((p) => [p.name, values[p.name]!]));
    const oldText = readFileSync(target, 'utf8');
    // One fit for every GPU goes into defaults, and the GPUs' own values of those fields go,
    // so that every GPU (also those without experiments) inherits it.
    const fitted =
      o.scope === ALL_GPUS_SCOPE
        ? inheritEverywhere(
            updateHardwareConfigText(oldText, DEFAULTS_KEY, section, tuned),
            section,
            Object.keys(tuned),
          )
        : updateHardwareConfigText(oldText, o.gpu.key, section, tuned);
    const newText = withFitAssumptions(fitted, s.latencyModel, section, o.gpu, Object.keys(tuned), target);
    return { target, oldText, newText, values: tuned };
  }
  const target = typeof raw.write === 'string' ? raw.write : s.coefficients;
  const x = o.experiments[0]!;
  const kv =
    o.experiments.find((e) => e.engine.totalKvBlocks !== null)?.engine.totalKvBlocks ??
    deriveKvBlocksFor(
      cachedModelArch(modelConfigSource(x, s.modelConfigs), x.model),
      findGpu(cachedHardwareConfig(s.hardwareConfig), x.gpu),
      x.tp,
    ).blocks;
  const oldText = readFileSync(target, 'utf8');
  const { alpha, beta } = calibrationOf('blackbox', values).blackbox!;
  const newText = defaultsWithRow(oldText, target, {
    id: (s.model ?? '').toLowerCase(),
    GPU: o.gpu.key,
    tensor_parallelism: s.tp ?? 1,
    vllm_version: x.vllmVersion ?? 'unknown',
    alpha_coeffs: [...alpha],
    beta_coeffs: [...beta],
    total_kv_blocks: kv,
    provenance: `fitted by blis-eval tune on ${o.experiments.length} experiment(s) of ${s.groundTruth.split('/').pop()}`,
  });
  return { target, oldText, newText, values };
}
