import { InputError } from '../errors.ts';
import { type CsvTable, columnIndex, numberAt, optionalColumnIndex, parseCsv } from './csv.ts';

/** One measured GEMM: M tokens × K×N weight matrix. */
export interface GemmPoint {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly mfu: number;
  readonly latencyUs?: number;
}
export interface PrefillPoint {
  readonly seqLen: number;
  readonly mfu: number;
}
export interface DecodePoint {
  readonly batch: number;
  readonly kvLen: number;
  readonly mfu: number;
}
export interface SourcedTable<T> {
  /** The file the rows came from (for messages). */
  readonly source: string;
  readonly points: readonly T[];
}

/**
 * A whole measured MFU data set for one GPU, independent of the layout it was read from.
 * Attention keys are `"<heads>-<kv_heads>-<head_dim>"`.
 */
export interface BenchData {
  readonly gemm: SourcedTable<GemmPoint>;
  readonly prefill: ReadonlyMap<string, SourcedTable<PrefillPoint>>;
  /** key → TP → table. */
  readonly decode: ReadonlyMap<string, ReadonlyMap<number, SourcedTable<DecodePoint>>>;
}

export type Warn = (message: string) => void;

export interface AttentionShape {
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

export function attentionKey(s: AttentionShape): string {
  return `${s.heads}-${s.kvHeads}-${s.headDim}`;
}

export function parseAttentionKey(key: string): AttentionShape | undefined {
  const m = /^(\d+)-(\d+)-(\d+)$/.exec(key);
  if (!m) return undefined;
  const shape = { heads: Number(m[1]), kvHeads: Number(m[2]), headDim: Number(m[3]) };
  return shape.heads > 0 && shape.kvHeads > 0 && shape.headDim > 0 ? shape : undefined;
}

/** Only 16-bit rows are used: the tables describe BF16/FP16 kernels (`_fp16` in the file names). */
const HALF = new Set(['bf16', 'fp16', 'float16', 'bfloat16', 'half']);

export const BLIS_GEMM_COLUMNS = ['m', 'k', 'n', 'latency_us', 'mfu'] as const;
export const BLIS_PREFILL_COLUMNS = ['dtype', 'seq_len', 'latency_us', 'mfu'] as const;
export const BLIS_DECODE_COLUMNS = [
  'dtype',
  'kv_dtype',
  'batch_size',
  'kv_len',
  'latency_us',
  'mfu',
] as const;

export interface TableOptions {
  readonly warn?: Warn;
  /** Column names to assume for a file without a header row (external layouts only). */
  readonly headerIfMissing?: readonly string[];
}

/** Rows to keep: all, unless dtype / kv_dtype columns mark some as non-16-bit. */
function halfRows(table: CsvTable, warn: Warn | undefined): CsvTable['rows'] {
  const cols = [optionalColumnIndex(table, ['dtype']), optionalColumnIndex(table, ['kv_dtype'])].filter(
    (c) => c >= 0,
  );
  if (cols.length === 0) return table.rows;
  const kept = table.rows.filter((r) => cols.every((c) => HALF.has((r.fields[c] ?? '').toLowerCase())));
  if (kept.length < table.rows.length) {
    warn?.(
      `${table.source}: ignored ${table.rows.length - kept.length} rows whose dtype/kv_dtype is not 16-bit`,
    );
  }
  return kept;
}

function open(text: string, source: string, opts: TableOptions): CsvTable {
  const table = opts.headerIfMissing
    ? parseCsv(text, source, { headerIfMissing: opts.headerIfMissing })
    : parseCsv(text, source);
  if (table.headerless) opts.warn?.(`${source}: no header row; assumed columns ${table.header.join(',')}`);
  if (table.rows.length === 0) throw new InputError(`${source}: no data rows`);
  return table;
}

/**
 * Parses rows into points keyed by their coordinates. An exact duplicate row is dropped with
 * a warning; two rows with the same coordinates and different MFU are an error naming both lines.
 */
function collect<T extends { readonly mfu: number }>(
  table: CsvTable,
  rows: CsvTable['rows'],
  read: (row: CsvTable['rows'][number]) => { key: string; point: T },
  warn: Warn | undefined,
): T[] {
  if (rows.length === 0) throw new InputError(`${table.source}: no 16-bit data rows`);
  const seen = new Map<string, { line: number; mfu: number }>();
  const out: T[] = [];
  let dropped = 0;
  for (const row of rows) {
    const { key, point } = read(row);
    const prev = seen.get(key);
    if (prev !== undefined) {
      if (prev.mfu !== point.mfu) {
        throw new InputError(
          `${table.source}:${row.line}: duplicate row for ${key} with mfu ${point.mfu} (line ${prev.line} has ${prev.mfu})`,
        );
      }
      dropped++;
      continue;
    }
    seen.set(key, { line: row.line, mfu: point.mfu });
    out.push(point);
  }
  if (dropped > 0) warn?.(`${table.source}: dropped ${dropped} exact duplicate rows`);
  return out;
}

export function parseGemmTable(
  text: string,
  source: string,
  opts: TableOptions = {},
): SourcedTable<GemmPoint> {
  const t = open(text, source, opts);
  const [cm, ck, cn, cmfu] = [
    columnIndex(t, ['m']),
    columnIndex(t, ['k']),
    columnIndex(t, ['n']),
    columnIndex(t, ['mfu']),
  ];
  const clat = optionalColumnIndex(t, ['latency_us']);
  const points = collect(
    t,
    halfRows(t, opts.warn),
    (r) => {
      const m = numberAt(t, r, cm, 'positive');
      const k = numberAt(t, r, ck, 'positive');
      const n = numberAt(t, r, cn, 'positive');
      const mfu = numberAt(t, r, cmfu, 'mfu');
      const point: GemmPoint =
        clat >= 0 ? { m, k, n, mfu, latencyUs: numberAt(t, r, clat, 'nonnegative') } : { m, k, n, mfu };
      return { key: `m=${m},k=${k},n=${n}`, point };
    },
    opts.warn,
  );
  return { source, points };
}

export function parsePrefillTable(
  text: string,
  source: string,
  opts: TableOptions = {},
): SourcedTable<PrefillPoint> {
  const t = open(text, source, opts);
  const cs = columnIndex(t, ['seq_len']);
  const cmfu = columnIndex(t, ['mfu']);
  const points = collect(
    t,
    halfRows(t, opts.warn),
    (r) => {
      const seqLen = numberAt(t, r, cs, 'positive');
      return { key: `seq_len=${seqLen}`, point: { seqLen, mfu: numberAt(t, r, cmfu, 'mfu') } };
    },
    opts.warn,
  );
  return { source, points };
}

export function parseDecodeTable(
  text: string,
  source: string,
  opts: TableOptions = {},
): SourcedTable<DecodePoint> {
  const t = open(text, source, opts);
  const cb = columnIndex(t, ['batch', 'batch_size']);
  const ckv = columnIndex(t, ['kv_len']);
  const cmfu = columnIndex(t, ['mfu']);
  const points = collect(
    t,
    halfRows(t, opts.warn),
    (r) => {
      const batch = numberAt(t, r, cb, 'positive');
      const kvLen = numberAt(t, r, ckv, 'positive');
      return {
        key: `batch=${batch},kv_len=${kvLen}`,
        point: { batch, kvLen, mfu: numberAt(t, r, cmfu, 'mfu') },
      };
    },
    opts.warn,
  );
  return { source, points };
}
