import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import type { RooflineV1Params } from '../latency/roofline-v1.ts';
import { CALIBRATED_FIELD_NAMES, type CalibratedV1Fields } from '../latency/roofline-v1-calibrated.ts';
import type { RooflineV2Params } from '../latency/roofline-v2.ts';
import { ambiguityNote, normGpuName, sameGpu } from './gpu-names.ts';

/**
 * hardware_config.json: one entry per GPU with its peaks and a `v1` and a `v2` calibration
 * section, e.g. `{"H100": {"TFlopsPeak": 989.5, "TFlopsFP8": 1978.9, "BwPeakTBs": 3.35,
 * "MemoryGiB": 80, "v1": {...}, "v2": {...}}}`. BLIS's flat files (all fields at the GPU's top
 * level) also load: top-level fields apply to both sections, a section's fields override them.
 * Field names match case-insensitively, so the seed's `MfuPrefill`/`TpScalingExponent` and
 * BLIS's `mfuPrefill`/`tpScalingExponent` are the same field. Keys starting with `_` are
 * comments.
 *
 * A top-level `"defaults"` entry (not a GPU) holds sections that apply to every GPU unless the
 * GPU sets them itself: `v1` and `v2` fields (inherited field by field) and `trainedPhysics`
 * (`{"beta": [...], "alpha": [...]}`, inherited array by array). Each resolved GPU lists what
 * it inherited (`inherited`, e.g. "v1.mfuDecode", "trainedPhysics.beta").
 */
export const PEAK_FIELDS = ['TFlopsPeak', 'TFlopsFP8', 'BwPeakTBs', 'InterconnectGBs'] as const;
/** Terms of ours both rooflines take (latency/physics-terms.ts), off when absent. */
export const PHYSICS_FIELDS = ['allReduceLinkScale', 'allReduceHopMicros', 'lmHeadScale'] as const;
export const V1_REQUIRED = [
  'BwEffConstant',
  'TOverheadMicros',
  'perLayerOverhead',
  'mfuPrefill',
  'mfuDecode',
  'allReduceLatency',
] as const;
export const V1_FIELDS = [
  ...V1_REQUIRED,
  'requestOverheadMicros',
  'ttftDecodeSteps',
  'requestStepMicros',
  ...PHYSICS_FIELDS,
  ...CALIBRATED_FIELD_NAMES,
] as const;
export const V2_FIELDS = [
  'bwEfficiencyFactor',
  'perLayerOverhead',
  'gemmMfuScale',
  'decodeGemmMfuScale',
  'attentionMfuScale',
  'requestOverheadMicros',
  'ttftDecodeSteps',
  'stepOverheadMicros',
  'allReduceMicros',
  'allReduceMicrosPerMB',
  'mixedStepJoint',
  'requestStepMicros',
  ...PHYSICS_FIELDS,
] as const;

const num = z.number().finite().nonnegative();
/**
 * Fields the latency models divide by or scale with: 0 is as invalid as a negative value, so
 * the schema says so (exit 2 naming the field) rather than the model failing later. TFlopsFP8
 * 0 means "no FP8 peak".
 */
const POSITIVE_FIELDS: ReadonlySet<string> = new Set([
  'TFlopsPeak',
  'BwPeakTBs',
  'BwEffConstant',
  'mfuPrefill',
  'mfuDecode',
  'gemmMfuScale',
  'decodeGemmMfuScale',
  'attentionMfuScale',
]);
const positive = z.number().finite().positive();
/** Fractions: of a step (LatencyModel.ttftDecodeSteps), of a mixed step run as one pass. */
const FRACTION_FIELDS: ReadonlySet<string> = new Set(['ttftDecodeSteps', 'mixedStepJoint']);
const fraction = num.max(1);
const fieldSchema = (f: string) =>
  (POSITIVE_FIELDS.has(f) ? positive : FRACTION_FIELDS.has(f) ? fraction : num).optional();
const fieldsShape = (fields: readonly string[]) =>
  z.object(Object.fromEntries(fields.map((f) => [f, fieldSchema(f)]))).strict();
const sectionShape = (fields: readonly string[]) => fieldsShape([...PEAK_FIELDS, ...fields]);
const v1Section = sectionShape(V1_FIELDS);
const v2Section = sectionShape(V2_FIELDS);
const datasheet = z
  .object({
    name: z.string().optional(),
    bf16TFlops: num.optional(),
    fp8TFlops: num.nullable().optional(),
    memBwTBs: num.optional(),
    memoryGB: num.optional(),
    nvlinkGBs: num.nullable().optional(),
    pcieGBs: num.nullable().optional(),
    note: z.string().optional(),
  })
  .strict();
const trainedPhysics = z
  .object({ beta: z.array(num).min(7).optional(), alpha: z.array(num).min(3).optional() })
  .strict();
const defaultsEntry = z
  .object({
    v1: fieldsShape(V1_FIELDS).optional(),
    v2: fieldsShape(V2_FIELDS).optional(),
    trainedPhysics: trainedPhysics.optional(),
  })
  .strict();
const entry = sectionShape([...new Set([...V1_FIELDS, ...V2_FIELDS])])
  .extend({
    name: z.string().optional(),
    aliases: z.array(z.string()).optional(),
    MemoryGiB: positive.optional(),
    datasheet: datasheet.optional(),
    v1: v1Section.optional(),
    v2: v2Section.optional(),
    trainedPhysics: trainedPhysics.optional(),
  })
  .strict();

/** The trained-physics coefficient arrays (BLIS's slot order; see latency/trained-physics.ts). */
export interface TrainedPhysicsCoefficients {
  readonly beta?: readonly number[];
  readonly alpha?: readonly number[];
}

type Section = Partial<Record<string, number>>;
type Datasheet = z.infer<typeof datasheet>;
interface ParsedEntry {
  readonly aliases?: string[];
  readonly datasheet?: Datasheet;
  readonly v1?: Section;
  readonly v2?: Section;
  readonly trainedPhysics?: TrainedPhysicsCoefficients;
}

/** The file's `defaults` entry: sections every GPU inherits for fields it does not set. */
export interface HardwareDefaults {
  readonly v1: Section;
  readonly v2: Section;
  readonly trainedPhysics: TrainedPhysicsCoefficients;
}

export interface GpuSpec {
  /** The entry's key in the file, e.g. "H100". */
  readonly key: string;
  readonly aliases: readonly string[];
  readonly source: string;
  readonly TFlopsPeak?: number;
  readonly TFlopsFP8?: number;
  readonly BwPeakTBs?: number;
  readonly InterconnectGBs?: number;
  readonly MemoryGiB?: number;
  readonly datasheet?: Datasheet;
  /** Top-level fields overlaid by the section's own. */
  readonly v1: Section;
  readonly v2: Section;
  /** The GPU's own arrays over the defaults' (each array whole). */
  readonly trainedPhysics: TrainedPhysicsCoefficients;
  /** Fields taken from `defaults`, e.g. "v1.mfuDecode", "trainedPhysics.beta" (schema order). */
  readonly inherited: readonly string[];
}

export interface HardwareConfig {
  readonly source: string;
  readonly gpus: readonly GpuSpec[];
  readonly defaults: HardwareDefaults;
}

/** The top-level key of the defaults entry (any case). */
export const DEFAULTS_KEY = 'defaults';

const CANONICAL = new Map<string, string>();
for (const f of [
  ...PEAK_FIELDS,
  ...V1_FIELDS,
  ...V2_FIELDS,
  'name',
  'aliases',
  'MemoryGiB',
  'datasheet',
  'v1',
  'v2',
  'trainedPhysics',
  'beta',
  'alpha',
  'bf16TFlops',
  'fp8TFlops',
  'memBwTBs',
  'memoryGB',
  'nvlinkGBs',
  'pcieGBs',
  'note',
]) {
  CANONICAL.set(f.toLowerCase(), f);
}

/** Renames keys to their canonical spelling (case-insensitive); drops `_comment`-style keys. */
function canonicalKeys(obj: unknown, where: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('_')) continue;
    const canon = CANONICAL.get(k.toLowerCase()) ?? k;
    if (canon in out) throw new InputError(`${where}: field '${k}' given twice (names are case-insensitive)`);
    const nested = canon === 'v1' || canon === 'v2' || canon === 'datasheet' || canon === 'trainedPhysics';
    out[canon] = nested ? canonicalKeys(v, `${where}.${canon}`) : v;
  }
  return out;
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const parsed = schema.safeParse(canonicalKeys(raw, where));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    const extra = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw new InputError(`${where}${path ? `, field '${path}'` : ''}: ${issue.message}${extra}`);
  }
  return parsed.data;
}

export function parseHardwareConfig(json: unknown, source: string): HardwareConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${source}: expected an object of GPU entries`);
  }
  const defaultsRaw = Object.entries(json).find(([k]) => k.toLowerCase() === DEFAULTS_KEY);
  const d = defaultsRaw ? parseWith(defaultsEntry, defaultsRaw[1], `${source}: '${defaultsRaw[0]}'`) : {};
  const defaults: HardwareDefaults = {
    v1: (d.v1 ?? {}) as Section,
    v2: (d.v2 ?? {}) as Section,
    trainedPhysics: (d.trainedPhysics ?? {}) as TrainedPhysicsCoefficients,
  };
  const gpus: GpuSpec[] = [];
  for (const [key, raw] of Object.entries(json)) {
    if (key.startsWith('_') || key.toLowerCase() === DEFAULTS_KEY) continue;
    const e = parseWith(entry, raw, `${source}: GPU '${key}'`) as unknown as ParsedEntry;
    const top: Section = {};
    for (const [k, v] of Object.entries(e)) if (typeof v === 'number') top[k] = v;
    const inherited: string[] = [];
    const own = {
      v1: { ...pick(top, [...PEAK_FIELDS, ...V1_FIELDS]), ...e.v1 },
      v2: { ...pick(top, [...PEAK_FIELDS, ...V2_FIELDS]), ...e.v2 },
      trainedPhysics: { ...e.trainedPhysics } as Record<string, unknown>,
    };
    for (const section of ['v1', 'v2', 'trainedPhysics'] as const) {
      const base = defaults[section] as Record<string, unknown>;
      const mine = own[section] as Record<string, unknown>;
      for (const [f, v] of Object.entries(base)) {
        if (v === undefined || mine[f] !== undefined) continue;
        mine[f] = v;
        inherited.push(`${section}.${f}`);
      }
    }
    gpus.push({
      key,
      aliases: e.aliases ?? [],
      source,
      ...(top.TFlopsPeak !== undefined && { TFlopsPeak: top.TFlopsPeak }),
      ...(top.TFlopsFP8 !== undefined && { TFlopsFP8: top.TFlopsFP8 }),
      ...(top.BwPeakTBs !== undefined && { BwPeakTBs: top.BwPeakTBs }),
      ...(top.InterconnectGBs !== undefined && { InterconnectGBs: top.InterconnectGBs }),
      ...(top.MemoryGiB !== undefined && { MemoryGiB: top.MemoryGiB }),
      ...(e.datasheet !== undefined && { datasheet: e.datasheet }),
      v1: own.v1,
      v2: own.v2,
      trainedPhysics: own.trainedPhysics as TrainedPhysicsCoefficients,
      inherited,
    });
  }
  if (gpus.length === 0) throw new InputError(`${source}: no GPU entries`);
  for (const gpu of gpus) checkRequired(gpu);
  return { source, gpus, defaults };
}

/**
 * Every GPU entry carries its peaks, checked when the file loads: a missing one is bad input
 * for every command, not "not applicable" on every roofline point. A section's own fields are
 * checked where a run selects that roofline (v1Params, v2Params), since a file may hold v2 only.
 */
function checkRequired(gpu: GpuSpec): void {
  for (const section of ['v1', 'v2'] as const) {
    for (const f of ['TFlopsPeak', 'BwPeakTBs']) required(gpu, section, f);
  }
}

function pick(s: Section, keys: readonly string[]): Section {
  const out: Section = {};
  for (const k of keys) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

export function loadHardwareConfig(path: string): HardwareConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read hardware config (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: invalid JSON (${(err as Error).message})`);
  }
  return parseHardwareConfig(json, path);
}

/**
 * The GPU `name` names: the entry whose key or own alias is spelt the same (ignoring case,
 * spaces, '-', '_'), else the entry naming the same GPU in the alias table (gpu-names.ts), so
 * `A100-80`, `A100-SXM4-80GB` and `NVIDIA A100-SXM4-80GB` all find an `A100-80GB` entry.
 */
export function lookupGpu(cfg: HardwareConfig, name: string): GpuSpec | undefined {
  const want = normGpuName(name);
  const names = (g: GpuSpec) => [g.key, ...g.aliases];
  return (
    cfg.gpus.find((g) => names(g).some((n) => normGpuName(n) === want)) ??
    cfg.gpus.find((g) => names(g).some((n) => sameGpu(n, name)))
  );
}

/** lookupGpu, or bad input naming the GPUs the file knows (or an ambiguous name's candidates). */
export function findGpu(cfg: HardwareConfig, name: string): GpuSpec {
  const hit = lookupGpu(cfg, name);
  if (!hit) throw new InputError(`${cfg.source}: ${unknownGpuMessage(cfg, name)}`);
  return hit;
}

/** Why `name` finds no entry: ambiguous (with the candidates) or unknown (with the file's GPUs). */
export function unknownGpuMessage(cfg: HardwareConfig, name: string): string {
  const known = `known: ${cfg.gpus.map((g) => g.key).join(', ')}`;
  const ambiguous = ambiguityNote(name);
  return ambiguous ? `GPU ${ambiguous} (${known})` : `no GPU '${name}' (${known})`;
}

function required(gpu: GpuSpec, section: 'v1' | 'v2', field: string): number {
  const v = gpu[section][field];
  if (v === undefined)
    throw new InputError(`${gpu.source}: GPU '${gpu.key}' (${section}): missing field '${field}'`);
  return v;
}

export interface V1Resolved {
  readonly params: RooflineV1Params;
  /** Present when any calibrated-variant field is set: use RooflineV1CalibratedModel. */
  readonly calibration?: Partial<CalibratedV1Fields>;
}

export function v1Params(gpu: GpuSpec): V1Resolved {
  const s = gpu.v1;
  const base: Record<string, number> = {
    TFlopsPeak: required(gpu, 'v1', 'TFlopsPeak'),
    BwPeakTBs: required(gpu, 'v1', 'BwPeakTBs'),
  };
  for (const f of V1_REQUIRED) base[f] = required(gpu, 'v1', f);
  for (const f of ['TFlopsFP8', 'InterconnectGBs', ...PHYSICS_FIELDS]) {
    if (s[f] !== undefined) base[f] = s[f];
  }
  const params = base as unknown as RooflineV1Params;
  const cal: Partial<Record<string, number>> = {};
  for (const f of CALIBRATED_FIELD_NAMES) if (s[f] !== undefined) cal[f] = s[f];
  return Object.keys(cal).length > 0
    ? { params, calibration: cal as Partial<CalibratedV1Fields> }
    : { params };
}

export function v2Params(gpu: GpuSpec): RooflineV2Params {
  const s = gpu.v2;
  return {
    TFlopsPeak: required(gpu, 'v2', 'TFlopsPeak'),
    BwPeakTBs: required(gpu, 'v2', 'BwPeakTBs'),
    ...(s.bwEfficiencyFactor !== undefined && { bwEfficiencyFactor: s.bwEfficiencyFactor }),
    ...(s.perLayerOverhead !== undefined && { perLayerOverhead: s.perLayerOverhead }),
    ...(s.TFlopsFP8 !== undefined && { TFlopsFP8: s.TFlopsFP8 }),
    ...(s.gemmMfuScale !== undefined && { gemmMfuScale: s.gemmMfuScale }),
    ...(s.decodeGemmMfuScale !== undefined && { decodeGemmMfuScale: s.decodeGemmMfuScale }),
    ...(s.attentionMfuScale !== undefined && { attentionMfuScale: s.attentionMfuScale }),
    ...(s.stepOverheadMicros !== undefined && { stepOverheadMicros: s.stepOverheadMicros }),
    ...(s.allReduceMicros !== undefined && { allReduceMicros: s.allReduceMicros }),
    ...(s.allReduceMicrosPerMB !== undefined && { allReduceMicrosPerMB: s.allReduceMicrosPerMB }),
    ...(s.mixedStepJoint !== undefined && { mixedStepJoint: s.mixedStepJoint }),
    ...pick(s, ['InterconnectGBs', ...PHYSICS_FIELDS]),
  };
}
