import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { type HistoryRecord, historyRecordSchema } from './schema.ts';

/**
 * `<history>/history.jsonl`: one record per line, oldest first. Reading never repairs or
 * rewrites a damaged file: the nightly job's trend is worth more than one night's run, so a
 * file that does not parse is renamed aside intact and a new history is started.
 */

export const HISTORY_FILE = 'history.jsonl';

export interface HistoryRead {
  records: HistoryRecord[];
  /** What was wrong, when the file was corrupted (it was then moved to `movedTo`). */
  corruption?: { line: number; reason: string; movedTo: string };
}

type Parsed = { ok: true; records: HistoryRecord[] } | { ok: false; line: number; reason: string };

/** Parses the file's text; blank lines are skipped, the first bad line stops the read. */
export function parseHistory(text: string): Parsed {
  const records: HistoryRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      return { ok: false, line: i + 1, reason: `not valid JSON (${e instanceof Error ? e.message : e})` };
    }
    const r = historyRecordSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.map(String).join('.') || '(root)';
      return { ok: false, line: i + 1, reason: `not a history record: ${field}: ${issue.message}` };
    }
    records.push(r.data);
  }
  return { ok: true, records };
}

/** `history.jsonl.corrupt-<time>`, with a counter when that name is taken: never overwrite. */
function asideName(file: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let name = `${file}.corrupt-${stamp}`;
  for (let k = 1; existsSync(name); k++) name = `${file}.corrupt-${stamp}-${k}`;
  return name;
}

/** A `--history` that exists and is not a folder is bad input (checked before evaluating). */
export function checkHistoryDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new InputError(`--history ${dir}: not a folder`);
  }
}

/**
 * Reads the history in `dir`. Missing → empty. Corrupted → the file is renamed aside and the
 * result is empty, with `corruption` saying why and where it went.
 */
export function readHistory(dir: string, now: Date = new Date()): HistoryRead {
  checkHistoryDir(dir);
  const file = join(dir, HISTORY_FILE);
  if (!existsSync(file)) return { records: [] };
  const parsed = parseHistory(readFileSync(file, 'utf8'));
  if (parsed.ok) return { records: parsed.records };
  const movedTo = asideName(file, now);
  renameSync(file, movedTo);
  return { records: [], corruption: { line: parsed.line, reason: parsed.reason, movedTo } };
}

/**
 * Appends one record. The file is rewritten atomically with its previous bytes unchanged plus
 * the new line, so a crash mid-write leaves the old history, never a half line.
 */
export function appendRecord(dir: string, record: HistoryRecord): string {
  const file = join(dir, HISTORY_FILE);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  writeFileAtomic(file, `${before}${sep}${JSON.stringify(record)}\n`);
  return file;
}
