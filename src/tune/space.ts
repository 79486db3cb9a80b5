import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PHYSICS_FIELDS } from '../config/hardware-config.ts';
import { formatZodError } from '../config/zod-error.ts';
import { InputError } from '../errors.ts';
import type { LatencyModelName } from '../latency/types.ts';

/** One searched field: its hardware_config section and its grid lo, lo+step, …, hi. */
export interface ParamSpec {
  name: string;
  section: 'v1' | 'v2' | 'blackbox' | 'trainedPhysics';
  lo: number;
  hi: number;
  step: number;
}

/** A point of the space: a value per searched field, by name. */
export type Candidate = Readonly<Record<string, number>>;

type Range = [lo: number, hi: number, step: number];

/**
 * Default search spaces. v1: the MFUs, TP-scaling exponents, bandwidth factors and the
 * overheads (zero inter-step overhead is the published cause of large TTFT bias); any of
 * the calibrated fields selects the calibrated v1 variant. v2: bandwidth efficiency,
 * per-layer overhead, our GEMM MFU scale, the overheads and TP's all-reduce latency.
 * Blackbox: α and β. Trained-physics: its 13 coefficients (BLIS slot names, see
 * latency/trained-physics.ts) over ranges around BLIS v0.7.1's fitted values (dimensionless
 * scales 0..2-3× theirs, overheads in µs).
 */
const DEFAULTS: Record<LatencyModelName, Record<string, Range>> = {
  'roofline-v1': {
    mfuPrefill: [0.3, 0.9, 0.05],
    mfuDecode: [0.05, 0.6, 0.025],
    tpScalingExponent: [0.3, 1.2, 0.05],
    decodeTpScalingExponent: [0.5, 1.3, 0.05],
    prefillBwFactor: [0.5, 1.5, 0.05],
    decodeBwFactor: [0.5, 1.5, 0.05],
    TOverheadMicros: [0, 3000, 50],
    prefillOverheadMicros: [0, 3000, 50],
    mixedPrefillOverheadMicros: [0, 2000, 50],
    requestOverheadMicros: [0, 40_000, 250],
    ttftDecodeSteps: [0, 1, 0.05],
  },
  'roofline-v2': {
    bwEfficiencyFactor: [0.5, 1.0, 0.02],
    perLayerOverhead: [0, 200, 5],
    gemmMfuScale: [0.5, 2.0, 0.05],
    requestOverheadMicros: [0, 40_000, 250],
    ttftDecodeSteps: [0, 1, 0.05],
    allReduceMicros: [0, 60, 1],
  },
  blackbox: {
    alpha0: [0, 50_000, 250],
    alpha1: [0, 20, 0.25],
    alpha2: [0, 5000, 50],
    beta0: [0, 20_000, 100],
    beta1: [0, 100, 0.5],
    beta2: [0, 200, 1],
  },
  'trained-physics': {
    b1a: [0, 0.5, 0.01],
    b2a: [0, 1, 0.05],
    b3: [0.5, 2.5, 0.02],
    b4: [0, 2, 0.05],
    b5: [0, 100, 1],
    b6: [0, 20, 0.25],
    b7: [0, 500, 5],
    b8: [0, 1500, 10],
    b1b: [0, 2, 0.05],
    b2b: [0.5, 4, 0.02],
    a0: [0, 40_000, 250],
    a1: [0, 3000, 25],
    a2: [0, 200, 1],
  },
};

export const SECTION: Record<LatencyModelName, ParamSpec['section']> = {
  'roofline-v1': 'v1',
  'roofline-v2': 'v2',
  blackbox: 'blackbox',
  'trained-physics': 'trainedPhysics',
};

/** Fields the tuner may touch per latency model (the defaults plus the other calibration fields). */
const ALLOWED: Record<LatencyModelName, readonly string[]> = {
  'roofline-v1': [
    ...Object.keys(DEFAULTS['roofline-v1']),
    'BwEffConstant',
    'perLayerOverhead',
    'allReduceLatency',
    'mfuPrefillMultiplier',
    'mfuDecodeMultiplier',
    'vectorPeakFraction',
    'mixedStepJoint',
    'requestStepMicros',
    ...PHYSICS_FIELDS,
  ],
  // Opt-in (--param): the attention MFU scale (the measured tables are per shape; one global
  // scale fitted on grouped-KV models misjudged Llama-2-7B's ungrouped attention), and the
  // step, all-reduce data and decode-GEMM fields, which fit the training folds better but not
  // the left-out models (docs/tuning.md).
  'roofline-v2': [
    ...Object.keys(DEFAULTS['roofline-v2']),
    'attentionMfuScale',
    'decodeGemmMfuScale',
    'stepOverheadMicros',
    'allReduceMicrosPerMB',
    'mixedStepJoint',
    'requestStepMicros',
    ...PHYSICS_FIELDS,
  ],
  blackbox: Object.keys(DEFAULTS.blackbox),
  'trained-physics': Object.keys(DEFAULTS['trained-physics']),
};

/** Every field the tuner may search for the latency model. */
export const allowedFields = (model: LatencyModelName): readonly string[] => ALLOWED[model];

export function defaultSpace(model: LatencyModelName): ParamSpec[] {
  return Object.entries(DEFAULTS[model]).map(([name, [lo, hi, step]]) => ({
    name,
    section: SECTION[model],
    lo,
    hi,
    step,
  }));
}

function spec(
  model: LatencyModelName,
  name: string,
  lo: number,
  hi: number,
  step: number,
  where: string,
): ParamSpec {
  if (!ALLOWED[model].includes(name)) {
    throw new InputError(
      `${where}: unknown field '${name}' for ${model} (allowed: ${ALLOWED[model].join(', ')})`,
    );
  }
  if (![lo, hi, step].every(Number.isFinite) || lo < 0 || hi < lo || !(step > 0)) {
    throw new InputError(`${where}: '${name}' needs 0 <= lo <= hi and step > 0, got ${lo}:${hi}:${step}`);
  }
  return { name, section: SECTION[model], lo, hi, step };
}

/**
 * The default blackbox space, scaled to the starting coefficients: β from 0 to 3× the
 * start in 1 % steps (a fixed range is far too coarse for a 7B and too narrow for a 400B
 * model); α keeps its fixed range, since a derived start has α = 0.
 */
export function blackboxSpaceAround(start: Readonly<Record<string, number>>): ParamSpec[] {
  return defaultSpace('blackbox').map((p) => {
    const v = start[p.name] ?? 0;
    if (!p.name.startsWith('beta') || !(v > 0)) return p;
    return { ...p, lo: 0, hi: round(3 * v), step: round(v / 100) };
  });
}

/** A space with the pinned fields (one value each) in place of any searched range of theirs. */
export function withPinned(space: readonly ParamSpec[], pinned: readonly ParamSpec[] = []): ParamSpec[] {
  return [...space.filter((p) => !pinned.some((q) => q.name === p.name)), ...pinned];
}

/** A candidate with every field fixed at one value (a pinned --param) set to it: the start may lie off it. */
export function withFixed(params: readonly ParamSpec[], c: Candidate): Candidate {
  const out: Record<string, number> = { ...c };
  for (const p of params) if (p.hi <= p.lo) out[p.name] = p.lo;
  return out;
}

/** `--param name=lo:hi:step` (or `name=value` to pin one value). */
export function parseParamFlag(model: LatencyModelName, text: string): ParamSpec {
  const m = /^([A-Za-z0-9_]+)=([^:]+)(?::([^:]+):([^:]+))?$/.exec(text.trim());
  if (!m) throw new InputError(`--param '${text}': expected name=lo:hi:step (e.g. mfuDecode=0.1:0.4:0.05)`);
  const lo = Number(m[2]);
  const hi = m[3] === undefined ? lo : Number(m[3]);
  const step = m[4] === undefined ? 1 : Number(m[4]);
  return spec(model, m[1]!, lo, hi, step, `--param '${text}'`);
}

const gridSchema = z.record(
  z.string(),
  z.union([
    z.object({ lo: z.number(), hi: z.number(), step: z.number() }).strict(),
    z.tuple([z.number(), z.number(), z.number()]),
  ]),
);

/** `--grid grid.json`: `{ "mfuDecode": {"lo":0.1,"hi":0.4,"step":0.05}, "TOverheadMicros": [0, 2000, 100] }`. */
export function loadGridFile(model: LatencyModelName, path: string): ParamSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = gridSchema.safeParse(json);
  if (!r.success) throw new InputError(formatZodError(path, r.error));
  return Object.entries(r.data).map(([name, v]) => {
    const [lo, hi, step] = Array.isArray(v) ? v : [v.lo, v.hi, v.step];
    return spec(model, name, lo, hi, step, `${path}: ${name}`);
  });
}

/**
 * How far the continuous search may widen a field's range: MFUs and efficiencies are
 * fractions in (0, 1]; every other field is a scale, an exponent or an overhead, >= 0.
 * Blackbox coefficients keep their ranges (they have no physical limit of their own).
 */
export function widenable(name: string): { lo: number; hi: number } {
  if (/^alpha|^beta\d/.test(name)) return { lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY };
  if (/^mfu(Prefill|Decode)$|^bwEfficiencyFactor$|^vectorPeakFraction$/.test(name))
    return { lo: 0.01, hi: 1 };
  if (name === 'ttftDecodeSteps') return { lo: 0, hi: 1 };
  return { lo: 0, hi: Number.POSITIVE_INFINITY };
}

/** Grid values of a parameter, rounded so that keys are stable. */
export function gridValues(p: ParamSpec): number[] {
  const n = Math.floor((p.hi - p.lo) / p.step + 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => round(p.lo + i * p.step));
}

export function round(x: number): number {
  return Number(x.toPrecision(12));
}

/** The nearest grid value to x. */
export function snap(p: ParamSpec, x: number): number {
  const k = Math.round((Math.min(Math.max(x, p.lo), p.hi) - p.lo) / p.step);
  return round(Math.min(p.lo + k * p.step, p.hi));
}
