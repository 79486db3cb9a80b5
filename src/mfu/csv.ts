import { InputError } from '../errors.ts';

/**
 * A small reader for the numeric CSV tables of the MFU database. Pure: it parses text that
 * a loader already read, and every error names the source file and the line.
 */
export interface CsvTable {
  readonly source: string;
  /** Lower-cased, trimmed column names. */
  readonly header: readonly string[];
  /** 1-based line numbers in the file, so errors point at the exact line. */
  readonly rows: readonly { readonly line: number; readonly fields: readonly string[] }[];
  /** True when the file had no header row and `header` was supplied by the caller. */
  readonly headerless: boolean;
}

export interface ParseCsvOptions {
  /**
   * Columns to assume when the first line is data rather than a header (some published
   * tables lack one). Used only when no expected column name appears in the first line and
   * its field count matches.
   */
  readonly headerIfMissing?: readonly string[];
}

export function parseCsv(text: string, source: string, opts: ParseCsvOptions = {}): CsvTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let first = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '') {
      first = i;
      break;
    }
  }
  if (first < 0) throw new InputError(`${source}: empty file (no header row)`);
  const firstFields = splitLine(lines[first]!, source, first + 1);
  let header = firstFields.map((f) => f.toLowerCase());
  let headerless = false;
  let dataStart = first + 1;
  const fallback = opts.headerIfMissing;
  if (
    fallback !== undefined &&
    fallback.length === header.length &&
    !header.some((h) => fallback.includes(h))
  ) {
    header = [...fallback];
    headerless = true;
    dataStart = first;
  }
  const rows: { line: number; fields: string[] }[] = [];
  for (let i = dataStart; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const fields = splitLine(raw, source, i + 1);
    if (fields.length !== header.length) {
      throw new InputError(
        `${source}:${i + 1}: expected ${header.length} fields (${header.join(',')}), got ${fields.length}`,
      );
    }
    rows.push({ line: i + 1, fields });
  }
  return { source, header, rows, headerless };
}

function splitLine(line: string, source: string, lineNo: number): string[] {
  if (line.includes('"')) throw new InputError(`${source}:${lineNo}: quoted fields are not supported`);
  return line.split(',').map((f) => f.trim());
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Index of the first of `names` present in the header, or an error naming the file. */
export function columnIndex(table: CsvTable, names: readonly string[]): number {
  for (const n of names) {
    const i = table.header.indexOf(n);
    if (i >= 0) return i;
  }
  const want = names.length === 1 ? `'${names[0]}'` : `one of ${names.map((n) => `'${n}'`).join(', ')}`;
  throw new InputError(`${table.source}: missing column ${want} (header: ${table.header.join(',')})`);
}

export function optionalColumnIndex(table: CsvTable, names: readonly string[]): number {
  for (const n of names) {
    const i = table.header.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

export type CellKind = 'mfu' | 'positive' | 'nonnegative';

/** Reads one numeric cell; rejects text, NaN, infinities and values out of range for its kind. */
export function numberAt(
  table: CsvTable,
  row: { readonly line: number; readonly fields: readonly string[] },
  col: number,
  kind: CellKind,
): number {
  const raw = row.fields[col] ?? '';
  const name = table.header[col] ?? `#${col}`;
  const where = `${table.source}:${row.line}: column '${name}'`;
  if (/^[+-]?nan$/i.test(raw)) throw new InputError(`${where} is NaN`);
  if (!NUMBER.test(raw)) throw new InputError(`${where} is not a number: '${raw}'`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new InputError(`${where} is not finite: '${raw}'`);
  if (kind === 'positive' && !(v > 0)) throw new InputError(`${where} must be > 0, got ${raw}`);
  if (kind !== 'positive' && v < 0) {
    throw new InputError(`${where} must not be negative, got ${raw}`);
  }
  return v;
}
