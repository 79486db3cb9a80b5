/**
 * The files of a BLIS trace (inference-sim `sim/workload/tracev2.go`, `itl.go`): the YAML
 * header, the per-request CSV and the per-chunk ITL CSV, read and checked. Columns are
 * found by name, so every v2/v3 layout (columns added over time, optional ones in the
 * middle) reads the same; a bad value is an InputError naming the file, line and column.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { formatZodError } from '../config/zod-error.ts';
import { InputError } from '../errors.ts';
import { parseYamlObject } from './read.ts';
import type { ImportFile } from './types.ts';

const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

/** The header fields this importer uses; others (SLO targets, KV offload, …) pass through unread. */
const headerSchema = z.looseObject({
  trace_version: z.union([z.literal(2), z.literal(3)], { error: 'expected 2 or 3' }),
  time_unit: z
    .enum(['us', 'µs', 'microseconds'], { error: 'expected "us" (BLIS traces are in microseconds)' })
    .optional(),
  created_at: z.string().optional(),
  mode: z.string().optional(),
  warm_up_requests: count.optional(),
  workload_seed: z.number().int().optional(),
  workload_spec: z.string().optional(),
  server: z
    .looseObject({
      type: z.string().optional(),
      model: z.string().optional(),
      tensor_parallel: positiveInt.optional(),
      max_num_seqs: positiveInt.optional(),
      block_size: positiveInt.optional(),
      gpu_memory_utilization: z.number().positive().max(1).optional(),
      max_model_len: positiveInt.optional(),
    })
    .optional(),
  network: z.looseObject({ measured_rtt_ms: z.number().nonnegative().optional() }).optional(),
});
export type TraceHeader = z.infer<typeof headerSchema>;

export function readHeader(f: ImportFile): TraceHeader {
  const doc = parseYamlObject(f);
  if (!('trace_version' in doc)) throw new InputError(`${f.rel}: trace_version: missing`);
  const r = headerSchema.safeParse(doc);
  if (!r.success) throw new InputError(formatZodError(f.rel, r.error));
  return r.data;
}

/** One row of the per-request CSV, with the line it is on. */
export interface TraceRow {
  line: number;
  requestId: number;
  /** Client-side input tokens (the suffix when the row has a prefix group), prefix tokens, the server's count (0 = not recorded). */
  inputTokens: number;
  prefixLength: number;
  serverInputTokens: number;
  outputTokens: number;
  arrivalUs: number;
  sendUs: number;
  firstChunkUs: number;
  lastChunkUs: number;
  status: string;
  streaming: boolean | undefined;
  model: string;
  session: string;
}

const REQUIRED = [
  'request_id',
  'input_tokens',
  'output_tokens',
  'arrival_time_us',
  'send_time_us',
  'first_chunk_time_us',
  'last_chunk_time_us',
  'status',
] as const;
const ITL_COLUMNS = ['request_id', 'chunk_index', 'timestamp_us'] as const;

/** The header row of a CSV file (first line). */
export const csvColumns = (f: ImportFile) =>
  (f.text().split(/\r?\n/, 1)[0] ?? '').split(',').map((c) => c.trim());
export const isTraceData = (f: ImportFile) =>
  f.rel.endsWith('.csv') && REQUIRED.every((c) => csvColumns(f).includes(c));
export const isItlData = (f: ImportFile) =>
  f.rel.endsWith('.csv') && ITL_COLUMNS.every((c) => csvColumns(f).includes(c)) && !isTraceData(f);

/** Records by column name, each with its line; a missing column names the file and the column. */
function records(f: ImportFile, required: readonly string[]): { line: number; r: Record<string, string> }[] {
  const missing = required.filter((c) => !csvColumns(f).includes(c));
  if (missing.length > 0)
    throw new InputError(`${f.rel}: header: missing column ${missing.map((c) => `"${c}"`).join(', ')}`);
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(f.text(), { columns: true, info: true, skip_empty_lines: true, relax_column_count: true });
  } catch (e) {
    throw new InputError(`${f.rel}: malformed CSV: ${e instanceof Error ? e.message : String(e)}`);
  }
  return rows.map(({ record, info }) => ({ line: info.lines, r: record }));
}

/** A non-negative integer cell (Go's strconv.Atoi / ParseInt as BLIS reads them). */
function int(f: ImportFile, line: number, r: Record<string, string>, col: string, fallback?: number): number {
  const raw = (r[col] ?? '').trim();
  if (raw === '' && fallback !== undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new InputError(`${f.rel}: line ${line}: ${col}: expected a non-negative integer, got '${raw}'`);
  return Number(raw);
}

/** Go's strconv.ParseBool. */
function bool(f: ImportFile, line: number, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^(1|t|true)$/i.test(raw.trim())) return true;
  if (/^(0|f|false)$/i.test(raw.trim())) return false;
  throw new InputError(`${f.rel}: line ${line}: streaming: expected true or false, got '${raw}'`);
}

export function readTraceRows(f: ImportFile): TraceRow[] {
  const seen = new Map<number, number>();
  const rows = records(f, REQUIRED).map(({ line, r }): TraceRow => {
    const n = (col: string, fallback?: number) => int(f, line, r, col, fallback);
    const requestId = n('request_id');
    const dup = seen.get(requestId);
    if (dup !== undefined)
      throw new InputError(`${f.rel}: line ${line}: request_id: ${requestId} is also on line ${dup}`);
    seen.set(requestId, line);
    return {
      line,
      requestId,
      inputTokens: n('input_tokens'),
      prefixLength: n('prefix_length', 0),
      serverInputTokens: n('server_input_tokens', 0),
      outputTokens: n('output_tokens'),
      arrivalUs: n('arrival_time_us'),
      sendUs: n('send_time_us'),
      firstChunkUs: n('first_chunk_time_us'),
      lastChunkUs: n('last_chunk_time_us'),
      status: (r.status ?? '').trim(),
      streaming: bool(f, line, r.streaming),
      model: (r.model ?? '').trim(),
      session: (r.session_id ?? '').trim(),
    };
  });
  if (rows.length === 0) throw new InputError(`${f.rel}: no requests`);
  return rows;
}

/** Chunk timestamps per request, in chunk order (`blis observe --record-itl`). */
export function readItl(f: ImportFile, ids: ReadonlySet<number>): Map<number, number[]> {
  const chunks = new Map<number, [number, number][]>();
  for (const { line, r } of records(f, ITL_COLUMNS)) {
    const id = int(f, line, r, 'request_id');
    if (!ids.has(id))
      throw new InputError(`${f.rel}: line ${line}: request_id: ${id} is not a request of the trace`);
    const list = chunks.get(id) ?? [];
    list.push([int(f, line, r, 'chunk_index'), int(f, line, r, 'timestamp_us')]);
    chunks.set(id, list);
  }
  return new Map([...chunks].map(([id, c]) => [id, c.sort((a, b) => a[0] - b[0]).map((x) => x[1])]));
}
