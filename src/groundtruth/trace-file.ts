import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.ts';
import { parseTraceCsv } from '../workload/traces.ts';
import type { TraceRow } from './experiment.ts';

const ARRIVAL = ['arrival_s', 'arrival_time_s', 'arrival_time', 'timestamp_s', 'timestamp'];
const INPUT = ['input_tokens', 'prompt_tokens', 'input_len', 'num_input_tokens'];
const OUTPUT = ['output_tokens', 'completion_tokens', 'output_len', 'num_output_tokens'];
/** Optional columns: the measured TTFT and E2E (ms) of each request, its stage. */
const OPTIONAL = { ttftMs: 'ttft_ms', e2eMs: 'e2e_ms', stage: 'stage' } as const;

/**
 * A per-request trace of a replay point, from CSV text. Two forms: a count trace with a
 * header naming arrival seconds, input and output token counts (the usual measured trace;
 * arrivals are made relative to the first), or a BLIS trace (reference §7.3) with token IDs.
 */
export function parseTraceRows(text: string, source: string): TraceRow[] {
  const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (names: readonly string[]) => names.find((n) => header.includes(n));
  const arrival = col(ARRIVAL);
  const input = col(INPUT);
  const output = col(OUTPUT);
  if (!input || !output) {
    return parseTraceCsv(text, { source }).map((r) => ({
      arrivalUs: r.arrival,
      inputTokens: r.input.length,
      outputTokens: r.output.length,
      inputIds: r.input,
      outputIds: r.output,
    }));
  }
  if (!arrival) throw new InputError(`${source}: header: needs an arrival column (${ARRIVAL.join(' | ')})`);
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
    });
  } catch (e) {
    throw new InputError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (records.length === 0) throw new InputError(`${source}: no requests`);
  const rows = records.map((r, i) => {
    const line = i + 2;
    const num = (name: string, integer: boolean) => {
      const v = Number(r[name]);
      if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
        throw new InputError(
          `${source}: line ${line}: ${name}: expected a non-negative ${integer ? 'integer' : 'number'}, got '${r[name]}'`,
        );
      }
      return v;
    };
    const row: { s: number; inputTokens: number; outputTokens: number } & Partial<
      Record<keyof typeof OPTIONAL, number>
    > = {
      s: num(arrival, false),
      inputTokens: num(input, true),
      outputTokens: num(output, true),
    };
    for (const [key, name] of Object.entries(OPTIONAL) as [keyof typeof OPTIONAL, string][]) {
      if (header.includes(name) && (r[name] ?? '') !== '') row[key] = num(name, key === 'stage');
    }
    return row;
  });
  const t0 = rows.reduce((m, r) => Math.min(m, r.s), Number.POSITIVE_INFINITY);
  return rows
    .map(({ s, ...r }) => ({ ...r, arrivalUs: Math.round((s - t0) * 1e6) }))
    .sort((a, b) => a.arrivalUs - b.arrivalUs);
}
