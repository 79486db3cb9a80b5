import { copyFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { sameGpu } from '../config/gpu-names.ts';
import { DEFAULTS_KEY, type GpuSpec, lookupGpu, parseHardwareConfig } from '../config/hardware-config.ts';
import { removeFields, updateHardwareConfigText } from '../config/hardware-config-write.ts';
import { InputError } from '../errors.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { allowedFields } from './space.ts';

/** File operations, injectable so tests can fail a write half-way. */
export interface WriteFs {
  copyFileSync: typeof copyFileSync;
  writeFileSync: (path: string, data: string) => void;
  renameSync: typeof renameSync;
}

const realFs: WriteFs = { copyFileSync, writeFileSync: (p, d) => writeFileSync(p, d), renameSync };

/**
 * Replaces a user-owned file safely: the previous file is kept as `<path>.bak-<stamp>`, the
 * new text goes to a temp file that is renamed over the old one, so a failure at any point
 * leaves the old file in place. Returns the backup path.
 */
export function replaceFileSafely(path: string, text: string, stamp: string, fs: WriteFs = realFs): string {
  const backup = `${path}.bak-${stamp}`;
  if (existsSync(path)) fs.copyFileSync(path, backup);
  const tmp = `${path}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path);
  return backup;
}

export interface BlackboxRow {
  id: string;
  GPU: string;
  tensor_parallelism: number;
  vllm_version: string;
  alpha_coeffs: number[];
  beta_coeffs: number[];
  total_kv_blocks: number;
  provenance: string;
}

/**
 * defaults.yaml with a fitted coefficient row: it replaces the row of the same (id, GPU,
 * TP, vLLM version), else goes before the first row of the same (id, GPU, TP) so lookups
 * that ignore the version find it first, else at the end. Comments and the rest stay.
 */
export function defaultsWithRow(text: string, source: string, row: BlackboxRow): string {
  const doc = parseDocument(text);
  const models = doc.get('models');
  if (!isSeq(models)) throw new InputError(`${source}: models: expected a list`);
  const items = models.items as unknown[];
  const same = (m: unknown, withVersion: boolean) =>
    isMap(m) &&
    String((m as YAMLMap).get('id')).toLowerCase() === row.id &&
    sameGpu(String((m as YAMLMap).get('GPU')), row.GPU) &&
    (m as YAMLMap).get('tensor_parallelism') === row.tensor_parallelism &&
    (!withVersion || (m as YAMLMap).get('vllm_version') === row.vllm_version);
  const node = doc.createNode(row);
  const exact = items.findIndex((m) => same(m, true));
  if (exact >= 0) items[exact] = node;
  else {
    const first = items.findIndex((m) => same(m, false));
    items.splice(first >= 0 ? first : items.length, 0, node);
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * The fit was scored with the start file's values of the fields it did not search; where the
 * target file (another file, or one written since) holds other values for them, the fitted
 * values alone would not be the model that was scored. Those fields get the start's value in
 * the fitted GPU's entry, or are removed from it and from defaults where the start has none.
 */
export function withFitAssumptions(
  text: string,
  model: LatencyModelName,
  section: 'v1' | 'v2',
  start: GpuSpec,
  searched: readonly string[],
  source: string,
): string {
  const now = lookupGpu(parseHardwareConfig(JSON.parse(text), source), start.key)?.[section];
  if (now === undefined) return text;
  const was = start[section];
  const differs = allowedFields(model).filter((f) => !searched.includes(f) && now[f] !== was[f]);
  const kept = differs.filter((f) => was[f] !== undefined);
  const absent = differs.filter((f) => was[f] === undefined);
  let out = text;
  if (kept.length > 0)
    out = updateHardwareConfigText(
      out,
      start.key,
      section,
      Object.fromEntries(kept.map((f) => [f, was[f]!])),
    );
  if (absent.length > 0) {
    const entries = new Set([start.key.toLowerCase(), DEFAULTS_KEY]);
    out = removeFields(out, (k) => entries.has(k.toLowerCase()), section, absent);
  }
  return out;
}
