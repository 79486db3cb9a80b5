import { canonicalGpuName } from '../config/gpu-names.ts';
import { type GpuSpec, type HardwareConfig, v1Params, v2Params } from '../config/hardware-config.ts';
import { BLIS_FIELDS, BLIS_GPU_NAMES, changesModel, OUR_FIELDS, type RooflineKind } from './fields.ts';
import { type CarriedField, type ExportNotes, groupByValue, type LostField } from './types.ts';

/** One entry of BLIS's flat hardware_config.json: a GPU, or another name of it repeated. */
export interface FlatEntry {
  readonly name: string;
  /** Set on an alias's entry: the GPU it repeats (BLIS looks `--hardware` up by key only). */
  readonly aliasOf?: string;
  readonly fields: Readonly<Record<string, number>>;
}

export interface RooflineExport extends ExportNotes {
  readonly kind: RooflineKind;
  readonly entries: readonly FlatEntry[];
  /**
   * What BLIS computes from the file and the carried flags, as a hardware config of ours
   * (aliases as aliases); null when nothing lost or carried changes the model.
   */
  readonly subset: Record<string, unknown> | null;
}

const CARRIED_BY_ALPHA = 'requestOverheadMicros';

/**
 * hardware_config.json as BLIS's roofline loads it: one flat entry per GPU (and alias) with
 * the fields BLIS spells, the `defaults` entry resolved into each. Our other fields are lost
 * (listed), except v2's request overhead, which the roofline branch takes as α0
 * (`--alpha-coeffs <µs>,0,0`); v0.6.1's v1 runs blackbox when α is given, so v1 loses it.
 */
export function rooflineExport(cfg: HardwareConfig, kind: RooflineKind): RooflineExport {
  const blis = BLIS_FIELDS[kind];
  const lost = new Map<string, [string, string][]>();
  const carried: [string, string][] = [];
  const entries: FlatEntry[] = [];
  const subset: Record<string, unknown> = {};
  const taken = new Set(cfg.gpus.map((g) => g.key.toLowerCase()));
  let changed = false;
  for (const gpu of cfg.gpus) {
    const section = checkedSection(gpu, kind);
    const fields: Record<string, number> = {};
    for (const f of blis) if (section[f] !== undefined) fields[f] = section[f];
    if (gpu.MemoryGiB !== undefined) fields.MemoryGiB = gpu.MemoryGiB;
    const extra: Record<string, number> = {};
    for (const [f, v] of Object.entries(section)) {
      if (v === undefined || blis.includes(f)) continue;
      if (f === CARRIED_BY_ALPHA && kind === 'roofline-v2' && v !== 0) {
        carried.push([gpu.key, `--alpha-coeffs ${v},0,0`]);
        extra[f] = v;
      } else if (changesModel(f, v)) {
        lost.set(f, [...(lost.get(f) ?? []), [gpu.key, String(v)]]);
        changed = true;
      }
    }
    entries.push({ name: gpu.key, fields });
    for (const alias of [...(BLIS_GPU_NAMES[canonicalGpuName(gpu.key)] ?? []), ...gpu.aliases]) {
      if (taken.has(alias.toLowerCase())) continue;
      taken.add(alias.toLowerCase());
      entries.push({ name: alias, aliasOf: gpu.key, fields });
    }
    subset[gpu.key] = { ...fields, ...extra, aliases: [...gpu.aliases] };
  }
  const lostFields: LostField[] = [...lost].map(([field, pairs]) => ({
    field,
    meaning: OUR_FIELDS[field]?.meaning ?? 'not a BLIS field',
    values: groupByValue(pairs),
  }));
  const carriedFields: CarriedField[] =
    carried.length > 0 ? [{ field: CARRIED_BY_ALPHA, values: groupByValue(carried) }] : [];
  return {
    kind,
    entries,
    lost: lostFields,
    carried: carriedFields,
    notes: notesFor(kind),
    subset: changed ? subset : null,
  };
}

/** The GPU's section, after the checks the model would make (bad input names file, GPU, field). */
function checkedSection(gpu: GpuSpec, kind: RooflineKind): Partial<Record<string, number>> {
  if (kind === 'roofline-v1') {
    v1Params(gpu);
    return gpu.v1;
  }
  v2Params(gpu);
  return gpu.v2;
}

const MODEL_RULES =
  "blis-eval's model-side rules (MoE, FP8 weights, a config's own head_dim; [ours] in docs/latency-models.md) " +
  'are no hardware_config fields: BLIS v0.6.1 computes every model as dense 16-bit with head_dim = hidden/heads';

function notesFor(kind: RooflineKind): string[] {
  if (kind === 'roofline-v1') {
    return [
      'BLIS v0.6.1: run --model-config-folder <dir> --hardware-config <file> --hardware <GPU> --tp <n> ' +
        '(alpha and beta left at 0, or it runs blackbox)',
      'without the calibrated-v1 fields the exported model is plain roofline v1 (their formulas differ, reference §9.4)',
      MODEL_RULES,
    ];
  }
  return [
    "BLIS's roofline branch: run --roofline --hardware-config <file> --bench-data-path <dir> --hardware <GPU> --tp <n>",
    "roofline-v2 also reads MFU tables: BLIS's branch must get the same measurements, in its layout " +
      '(gemm/<gpu>/data.csv, mha/…); blis-eval keeps them under bench_data/<gpu>/',
    "for a GEMM shape beyond the measured ones BLIS takes the largest measured pair; blis-eval's evaluator " +
      'clamps each dimension (the accuracy below uses the evaluator; run --gemm-fallback blis is BLIS)',
    MODEL_RULES,
  ];
}
