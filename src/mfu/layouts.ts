import { InputError } from '../errors.ts';
import {
  type BenchData,
  BLIS_DECODE_COLUMNS,
  BLIS_GEMM_COLUMNS,
  BLIS_PREFILL_COLUMNS,
  type DecodePoint,
  type PrefillPoint,
  parseAttentionKey,
  parseDecodeTable,
  parseGemmTable,
  parsePrefillTable,
  type SourcedTable,
  type Warn,
} from './tables.ts';

/**
 * The three on-disk layouts of MFU tables, read from and written to plain text (the file
 * reading lives in config/bench-data.ts).
 *
 * project (one GPU's folder, `bench_data/<gpu>/`):
 *   gemm_bench/gemm_fp16.csv                               m,k,n,latency_us,mfu
 *   mha_prefill/<H>-<KV>-<hd>/mha_prefill_fp16.csv         seq_len,mfu
 *   mha_decode/<H>-<KV>-<hd>/mha_decode_fp16_tp<N>.csv     batch,kv_len,mfu
 * blis / infersim (the GPU folder is the last directory level; paths here have it removed):
 *   gemm/data.csv, mha/prefill/<H>-<KV>-<hd>.csv, mha/decode/<H>-<KV>-<hd>-tp<N>.csv (blis)
 *   or mha/decode/<H>-<KV>-<hd>.csv (infersim; measured per GPU, read as TP 1).
 */
export interface VirtualFile {
  /** POSIX path relative to the data set's root. */
  readonly path: string;
  readonly text: string;
  /** The real file, for messages (default: label/path). */
  readonly source?: string;
}

export type ExternalLayout = 'blis' | 'infersim';
export type LayoutName = 'project' | ExternalLayout;

export const PROJECT_GEMM = 'gemm_bench/gemm_fp16.csv';
const PROJECT_PREFILL = /^mha_prefill\/([^/]+)\/mha_prefill_fp16\.csv$/;
const PROJECT_DECODE = /^mha_decode\/([^/]+)\/mha_decode_fp16_tp(\d+)\.csv$/;
const EXT_PREFILL = /^mha\/prefill\/([^/]+)\.csv$/;
const EXT_DECODE = /^mha\/decode\/(\d+-\d+-\d+)(?:-tp(\d+))?\.csv$/;

export interface ParsedLayout {
  readonly data: BenchData;
  /** CSV files that match no pattern of the layout (an error for `bench validate`). */
  readonly unrecognised: readonly string[];
}

class Builder {
  readonly prefill = new Map<string, SourcedTable<PrefillPoint>>();
  readonly decode = new Map<string, Map<number, SourcedTable<DecodePoint>>>();

  key(dirKey: string, source: string): string {
    if (!parseAttentionKey(dirKey)) {
      throw new InputError(`${source}: attention shape '${dirKey}' is not <heads>-<kv_heads>-<head_dim>`);
    }
    return dirKey;
  }

  addDecode(dirKey: string, tp: number, table: SourcedTable<DecodePoint>): void {
    const key = this.key(dirKey, table.source);
    if (!(tp > 0)) throw new InputError(`${table.source}: TP must be a positive integer`);
    let byTp = this.decode.get(key);
    if (!byTp) {
      byTp = new Map();
      this.decode.set(key, byTp);
    }
    const prev = byTp.get(tp);
    if (prev)
      throw new InputError(`${table.source}: second decode table for ${key} TP ${tp} (also ${prev.source})`);
    byTp.set(tp, table);
  }
}

/** Reads one GPU's folder in the project layout. `label` prefixes file names in messages. */
export function parseProjectLayout(files: readonly VirtualFile[], label: string, warn?: Warn): ParsedLayout {
  const b = new Builder();
  const unrecognised: string[] = [];
  const opts = warn ? { warn } : {};
  let gemm: BenchData['gemm'] | undefined;
  for (const f of files) {
    if (!f.path.endsWith('.csv')) continue;
    const src = f.source ?? `${label}/${f.path}`;
    const pm = PROJECT_PREFILL.exec(f.path);
    const dm = PROJECT_DECODE.exec(f.path);
    if (f.path === PROJECT_GEMM) gemm = parseGemmTable(f.text, src, opts);
    else if (pm) b.prefill.set(b.key(pm[1]!, src), parsePrefillTable(f.text, src, opts));
    else if (dm) b.addDecode(dm[1]!, Number(dm[2]), parseDecodeTable(f.text, src, opts));
    else unrecognised.push(src);
  }
  if (!gemm) throw new InputError(`${label}: missing ${PROJECT_GEMM}`);
  return { data: { gemm, prefill: b.prefill, decode: b.decode }, unrecognised };
}

/**
 * Reads one GPU's tables in the BLIS or InferSim layout (paths with the GPU folder removed).
 * Files without a header row get the layout's standard columns (with a warning); rows whose
 * dtype or kv_dtype is not 16-bit are skipped (with a warning).
 */
export function parseExternalLayout(
  files: readonly VirtualFile[],
  label: string,
  layout: ExternalLayout | 'auto',
  warn?: Warn,
): ParsedLayout {
  const b = new Builder();
  const unrecognised: string[] = [];
  const base = warn ? { warn } : {};
  let gemm: BenchData['gemm'] | undefined;
  for (const f of files) {
    if (!f.path.endsWith('.csv')) continue;
    const src = f.source ?? `${label}/${f.path}`;
    const pm = EXT_PREFILL.exec(f.path);
    const dm = EXT_DECODE.exec(f.path);
    if (f.path === 'gemm/data.csv') {
      gemm = parseGemmTable(f.text, src, { ...base, headerIfMissing: BLIS_GEMM_COLUMNS });
    } else if (pm) {
      const t = parsePrefillTable(f.text, src, { ...base, headerIfMissing: BLIS_PREFILL_COLUMNS });
      b.prefill.set(b.key(pm[1]!, src), t);
    } else if (dm) {
      if (layout === 'blis' && dm[2] === undefined) {
        throw new InputError(`${src}: BLIS decode tables are named <H>-<KV>-<hd>-tp<N>.csv`);
      }
      const t = parseDecodeTable(f.text, src, { ...base, headerIfMissing: BLIS_DECODE_COLUMNS });
      b.addDecode(dm[1]!, dm[2] === undefined ? 1 : Number(dm[2]), t);
    } else unrecognised.push(src);
  }
  if (!gemm) throw new InputError(`${label}: missing gemm/<gpu>/data.csv`);
  return { data: { gemm, prefill: b.prefill, decode: b.decode }, unrecognised };
}

/** Writes a data set in the project layout (paths relative to the GPU folder). */
export function serializeProjectLayout(data: BenchData): VirtualFile[] {
  const out: VirtualFile[] = [];
  const g = data.gemm.points;
  const withLatency = g.every((p) => p.latencyUs !== undefined);
  const gemmLines = [withLatency ? 'm,k,n,latency_us,mfu' : 'm,k,n,mfu'];
  for (const p of g) {
    gemmLines.push(
      withLatency ? `${p.m},${p.k},${p.n},${p.latencyUs},${p.mfu}` : `${p.m},${p.k},${p.n},${p.mfu}`,
    );
  }
  out.push({ path: PROJECT_GEMM, text: `${gemmLines.join('\n')}\n` });
  for (const key of [...data.prefill.keys()].sort()) {
    const rows = [...data.prefill.get(key)!.points].sort((a, b) => a.seqLen - b.seqLen);
    const lines = ['seq_len,mfu', ...rows.map((r) => `${r.seqLen},${r.mfu}`)];
    out.push({ path: `mha_prefill/${key}/mha_prefill_fp16.csv`, text: `${lines.join('\n')}\n` });
  }
  for (const key of [...data.decode.keys()].sort()) {
    const byTp = data.decode.get(key)!;
    for (const tp of [...byTp.keys()].sort((a, b) => a - b)) {
      const rows = [...byTp.get(tp)!.points].sort((a, b) => a.batch - b.batch || a.kvLen - b.kvLen);
      const lines = ['batch,kv_len,mfu', ...rows.map((r) => `${r.batch},${r.kvLen},${r.mfu}`)];
      out.push({ path: `mha_decode/${key}/mha_decode_fp16_tp${tp}.csv`, text: `${lines.join('\n')}\n` });
    }
  }
  return out;
}
