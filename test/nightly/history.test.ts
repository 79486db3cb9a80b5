import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import {
  appendRecord,
  checkHistoryDir,
  HISTORY_FILE,
  parseHistory,
  readHistory,
} from '../../src/nightly/history.ts';
import { buildRecord } from '../../src/nightly/record.ts';
import { sampleRun } from '../support/eval-run.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'hist-'));
const record = (createdAt = '2025-01-02T03:04:05.000Z') => buildRecord({ ...sampleRun(), createdAt });
const NOW = new Date('2025-02-03T04:05:06.789Z');

describe('history.jsonl', () => {
  it('a missing file (or folder) is an empty history', () => {
    expect(readHistory(join(tmp(), 'not-yet'))).toEqual({ records: [] });
  });

  it('appends records as lines and reads them back in order', () => {
    const dir = join(tmp(), 'h');
    appendRecord(dir, record('2025-01-01T00:00:00.000Z'));
    appendRecord(dir, record('2025-01-02T00:00:00.000Z'));
    const text = readFileSync(join(dir, HISTORY_FILE), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(readHistory(dir).records.map((r) => r.timestamp)).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
    ]);
  });

  it('keeps the previous bytes when appending, and skips blank lines when reading', () => {
    const dir = tmp();
    const first = `${JSON.stringify(record())}\n\n`;
    writeFileSync(join(dir, HISTORY_FILE), first.trimEnd()); // no final newline
    appendRecord(dir, record('2025-01-03T00:00:00.000Z'));
    const text = readFileSync(join(dir, HISTORY_FILE), 'utf8');
    expect(text.startsWith(first.trimEnd())).toBe(true);
    expect(parseHistory(`\n${text}\n  \n`)).toMatchObject({ ok: true, records: [{}, {}] });
  });

  it('names the first line that is not JSON or not a record', () => {
    const good = JSON.stringify(record());
    expect(parseHistory(`${good}\n{"oops"\n`)).toMatchObject({ ok: false, line: 2 });
    expect(parseHistory(`${good}\n{"oops"\n`)).toMatchObject({
      reason: expect.stringMatching(/^not valid JSON/),
    });
    const bad = JSON.stringify({ ...record(), models: [{ latencyModel: 'magic' }] });
    expect(parseHistory(`${good}\n${good}\n${bad}`)).toMatchObject({
      ok: false,
      line: 3,
      reason: expect.stringMatching(/^not a history record: models\.0\.latencyModel/),
    });
    const future = JSON.stringify({ ...record(), schema: 2 });
    expect(parseHistory(future)).toMatchObject({ ok: false, reason: expect.stringMatching(/schema/) });
  });

  it('moves a corrupted file aside intact, never overwriting an earlier one, and starts empty', () => {
    const dir = tmp();
    const file = join(dir, HISTORY_FILE);
    const damaged = `${JSON.stringify(record())}\n{"truncated": \n`;
    writeFileSync(file, damaged);
    const first = readHistory(dir, NOW);
    expect(first.records).toEqual([]);
    expect(first.corruption).toEqual({
      line: 2,
      reason: expect.stringMatching(/^not valid JSON/),
      movedTo: `${file}.corrupt-20250203T040506Z`,
    });
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(first.corruption!.movedTo, 'utf8')).toBe(damaged);
    // Damaged again at the same second: a second name, the first file untouched.
    writeFileSync(file, 'garbage');
    const second = readHistory(dir, NOW);
    expect(second.corruption!.movedTo).toBe(`${file}.corrupt-20250203T040506Z-1`);
    expect(readFileSync(first.corruption!.movedTo, 'utf8')).toBe(damaged);
    expect(readdirSync(dir).sort()).toEqual([
      'history.jsonl.corrupt-20250203T040506Z',
      'history.jsonl.corrupt-20250203T040506Z-1',
    ]);
  });

  it('rejects a --history that is a file', () => {
    const f = join(tmp(), 'file');
    writeFileSync(f, '');
    expect(() => checkHistoryDir(f)).toThrow(InputError);
    expect(() => readHistory(f)).toThrow(/not a folder/);
  });
});
