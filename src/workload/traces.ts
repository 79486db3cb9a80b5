/**
 * BLIS CSV traces (reference §7.3), parsed from text the caller has read. Cells hold
 * JSON arrays with commas inside quotes, so a real CSV parser is used.
 *
 * Row format: col 0 arrival in seconds, col 3 prompt token IDs, col 4 output token
 * IDs (JSON int arrays); columns 1–2 are ignored. The header row is skipped.
 */
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.ts';
import type { WorkloadRequest } from './types.ts';

export interface TraceOptions {
  /** µs; reading stops at the first row whose arrival exceeds it. Default: no limit. */
  horizon?: number;
  /** Name used in error messages (usually the file path). */
  source?: string;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Decimal float as Go's strconv.ParseFloat accepts in practice (no hex, no inf/nan). */
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Requests in arrival order (a stable sort, as the simulator's event heap orders equal
 * arrivals by insertion), with IDs `request_<row>` numbered by data row.
 */
export function parseTraceCsv(text: string, options: TraceOptions = {}): WorkloadRequest[] {
  const source = options.source ?? 'trace';
  const horizon = options.horizon ?? Number.POSITIVE_INFINITY;
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (err) {
    const where = (err as { lines?: number }).lines;
    const at = where === undefined ? '' : ` line ${where}`;
    throw new InputError(`${source}${at}: malformed CSV: ${(err as Error).message}`);
  }
  const out: WorkloadRequest[] = [];
  for (let row = 0; row + 1 < records.length; row++) {
    const { record, info } = records[row + 1]!;
    const where = `${source} line ${info.lines}`;
    if (record.length < 5) {
      throw new InputError(`${where}: expected at least 5 columns, found ${record.length}`);
    }
    const cell = record[0]!.trim();
    const seconds = FLOAT_RE.test(cell) ? Number(cell) : Number.NaN;
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new InputError(`${where}, column 1 (arrival seconds): not a non-negative number: "${record[0]}"`);
    }
    // Go's int64(x * 1e6): truncation toward zero.
    const arrival = Math.trunc(seconds * 1e6);
    if (arrival > horizon) break;
    const input = tokenCell(record[3]!, `${where}, column 4 (prompt tokens)`);
    const output = tokenCell(record[4]!, `${where}, column 5 (output tokens)`);
    out.push({ id: `request_${row}`, arrival, input, output });
  }
  return out.sort((a, b) => a.arrival - b.arrival);
}

function tokenCell(cell: string, where: string): Int32Array {
  let value: unknown;
  try {
    value = JSON.parse(cell);
  } catch {
    throw new InputError(`${where}: not a JSON array: "${cell.slice(0, 60)}"`);
  }
  if (!Array.isArray(value)) throw new InputError(`${where}: expected a JSON array of integers`);
  const tokens = new Int32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new InputError(`${where}: element ${i} is not a 32-bit integer: ${JSON.stringify(v)}`);
    }
    tokens[i] = v;
  }
  return tokens;
}
