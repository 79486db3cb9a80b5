import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import type { RooflineV1Params } from '../latency/roofline-v1.ts';
import { CALIBRATED_FIELD_NAMES, type CalibratedV1Fields } from '../latency/roofline-v1-calibrated.ts';
import type { RooflineV2Params } from '../latency/roofline-v2.ts';

/**
 * hardware_config.json: one entry per GPU with its peaks and a `v1` and a `v2` calibration
 * section, e.g. `{"H100": {"TFlopsPeak": 989.5, "TFlopsFP8": 1978.9, "BwPeakTBs": 3.35,
 * "MemoryGiB": 80, "v1": {...}, "v2": {...}}}`. BLIS's flat files (all fields at the GPU's top
 * level) also load: top-level fields apply to both sections, a section's fields override them.
 * Field names match case-insensitively, so the seed's `MfuPrefill`/`TpScalingExponent` and
 * BLIS's `mfuPrefill`/`tpScalingExponent` are the same field. Keys starting with `_` are
 * comments.
 */
const PEAK_FIELDS = ['TFlopsPeak', 'TFlopsFP8', 'BwPeakTBs'] as const;
const V1_REQUIRED = [
  'BwEffConstant',
  'TOverheadMicros',
  'perLayerOverhead',
  'mfuPrefill',
  'mfuDecode',
  'allReduceLatency',
] as const;
const V1_FIELDS = [...V1_REQUIRED, 'requestOverheadMicros', ...CALIBRATED_FIELD_NAMES] as const;
const V2_FIELDS = [
  'bwEfficiencyFactor',
  'perLayerOverhead',
  'gemmMfuScale',
  'attentionMfuScale',
  'requestOverheadMicros',
] as const;

const num = z.number().finite().nonnegative();
const sectionShape = (fields: readonly string[]) =>
  z.object(Object.fromEntries([...PEAK_FIELDS, ...fields].map((f) => [f, num.optional()]))).strict();
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
    note: z.string().optional(),
  })
  .strict();
const entry = sectionShape([...new Set([...V1_FIELDS, ...V2_FIELDS])])
  .extend({
    name: z.string().optional(),
    aliases: z.array(z.string()).optional(),
    MemoryGiB: num.optional(),
    datasheet: datasheet.optional(),
    v1: v1Section.optional(),
    v2: v2Section.optional(),
  })
  .strict();

type Section = Partial<Record<string, number>>;
type Datasheet = z.infer<typeof datasheet>;
interface ParsedEntry {
  readonly aliases?: string[];
  readonly datasheet?: Datasheet;
  readonly v1?: Section;
  readonly v2?: Section;
}

export interface GpuSpec {
  /** The entry's key in the file, e.g. "H100". */
  readonly key: string;
  readonly aliases: readonly string[];
  readonly source: string;
  readonly TFlopsPeak?: number;
  readonly TFlopsFP8?: number;
  readonly BwPeakTBs?: number;
  readonly MemoryGiB?: number;
  readonly datasheet?: Datasheet;
  /** Top-level fields overlaid by the section's own. */
  readonly v1: Section;
  readonly v2: Section;
}

export interface HardwareConfig {
  readonly source: string;
  readonly gpus: readonly GpuSpec[];
}

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
  'bf16TFlops',
  'fp8TFlops',
  'memBwTBs',
  'memoryGB',
  'nvlinkGBs',
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
    out[canon] =
      canon === 'v1' || canon === 'v2' || canon === 'datasheet' ? canonicalKeys(v, `${where}.${canon}`) : v;
  }
  return out;
}

export function parseHardwareConfig(json: unknown, source: string): HardwareConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${source}: expected an object of GPU entries`);
  }
  const gpus: GpuSpec[] = [];
  for (const [key, raw] of Object.entries(json)) {
    if (key.startsWith('_')) continue;
    const where = `${source}: GPU '${key}'`;
    const parsed = entry.safeParse(canonicalKeys(raw, where));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.join('.');
      const extra = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      throw new InputError(`${where}${path ? `, field '${path}'` : ''}: ${issue.message}${extra}`);
    }
    const e = parsed.data as unknown as ParsedEntry;
    const top: Section = {};
    for (const [k, v] of Object.entries(e)) if (typeof v === 'number') top[k] = v;
    gpus.push({
      key,
      aliases: e.aliases ?? [],
      source,
      ...(top.TFlopsPeak !== undefined && { TFlopsPeak: top.TFlopsPeak }),
      ...(top.TFlopsFP8 !== undefined && { TFlopsFP8: top.TFlopsFP8 }),
      ...(top.BwPeakTBs !== undefined && { BwPeakTBs: top.BwPeakTBs }),
      ...(top.MemoryGiB !== undefined && { MemoryGiB: top.MemoryGiB }),
      ...(e.datasheet !== undefined && { datasheet: e.datasheet }),
      v1: { ...pick(top, [...PEAK_FIELDS, ...V1_FIELDS]), ...e.v1 },
      v2: { ...pick(top, [...PEAK_FIELDS, ...V2_FIELDS]), ...e.v2 },
    });
  }
  if (gpus.length === 0) throw new InputError(`${source}: no GPU entries`);
  return { source, gpus };
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

const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/** The GPU whose key (first) or alias equals `name`, ignoring case, spaces, '-' and '_'. */
export function lookupGpu(cfg: HardwareConfig, name: string): GpuSpec | undefined {
  const want = norm(name);
  return (
    cfg.gpus.find((g) => norm(g.key) === want) ??
    cfg.gpus.find((g) => g.aliases.some((a) => norm(a) === want))
  );
}

/** lookupGpu, or bad input naming the GPUs the file knows. */
export function findGpu(cfg: HardwareConfig, name: string): GpuSpec {
  const hit = lookupGpu(cfg, name);
  if (!hit) {
    throw new InputError(`${cfg.source}: no GPU '${name}' (known: ${cfg.gpus.map((g) => g.key).join(', ')})`);
  }
  return hit;
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
  if (s.TFlopsFP8 !== undefined) base.TFlopsFP8 = s.TFlopsFP8;
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
    ...(s.attentionMfuScale !== undefined && { attentionMfuScale: s.attentionMfuScale }),
  };
}
