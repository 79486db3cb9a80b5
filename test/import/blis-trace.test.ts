import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { parseTraceRows } from '../../src/groundtruth/trace-file.ts';
import { traceCsv } from '../../src/import/output.ts';
import { REPO } from '../support/cli.ts';
import { importPath } from './helpers.ts';

const FIX = join(REPO, 'test', 'fixtures', 'import', 'blis-trace');
const V3 = join(FIX, 'observe-v3');
const V2 = join(FIX, 'observe-v2');
type Point = Record<string, number | unknown>;

/** The fixture's CSV rows by column name, as a reader independent of the importer sees them. */
const csvRows = (path: string): Record<string, string>[] =>
  parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true });

/** A copy of a fixture folder, with some files replaced. */
function variant(src: string, files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'blis-trace-')), 'trace');
  cpSync(src, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('import BLIS traces: trace_version 3 (blis observe, with ITL file and a server config)', () => {
  const { format, experiments } = importPath(V3, { hardware: 'H100' });
  const x = experiments[0]!;
  const p = (x.json.qps_sweeps as Point[])[0]!;
  const rows = csvRows(join(V3, 'trace.csv'));

  it('is one experiment: model from the header, limits from the vLLM arguments beside it', () => {
    expect(format).toBe('blis-trace');
    expect(experiments).toHaveLength(1);
    expect(x.json).toMatchObject({
      experiment_name: 'Llama-3.1-8B-Instruct blis-trace',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      vllm_config: {
        tensor_parallelism: 1,
        max_num_seqs: 128,
        max_num_batched_tokens: 8192,
        max_model_len: 8192,
      },
      workload_config: {
        workload_family: 'blis-observe',
        trace_version: 3,
        mode: 'real',
        measured_rtt_ms: 0.4,
      },
    });
    expect(x.json.provenance).toContainEqual({
      field: 'model',
      file: 'observe-v3/trace.yaml',
      key: 'server.model',
    });
    expect(x.json.provenance).toContainEqual({
      field: 'vllm_config.tensor_parallelism',
      file: 'observe-v3/vllm-args.json',
      key: 'tensor_parallel_size',
    });
  });

  it('replays every successful request at its send time; the error row counts as a failure', () => {
    const ok = rows.filter((r) => r.status === 'ok');
    expect(p).toMatchObject({
      num_sent: rows.length,
      num_requests: ok.length,
      num_failures: rows.length - ok.length,
    });
    const trace = parseTraceRows(traceCsv(x.traces[0]!.rows), 't.csv');
    expect(trace).toHaveLength(ok.length);
    const us = (r: Record<string, string>, c: string) => Number(r[c]);
    const t0 = us(ok[0]!, 'send_time_us');
    ok.forEach((r, i) => {
      const row = trace[i]!;
      expect(row.arrivalUs).toBe(us(r, 'send_time_us') - t0);
      // The server's prompt count (it includes the shared prefix and the chat template).
      expect(row.inputTokens).toBe(us(r, 'server_input_tokens'));
      expect(row.outputTokens).toBe(us(r, 'output_tokens'));
      expect(row.ttftMs).toBeCloseTo((us(r, 'first_chunk_time_us') - us(r, 'send_time_us')) / 1000, 6);
      expect(row.e2eMs).toBeCloseTo((us(r, 'last_chunk_time_us') - us(r, 'send_time_us')) / 1000, 6);
    });
  });

  it("one chunk per token: the chunk file's mean gap is the ground truth's ITL", () => {
    // Σ(E2E − TTFT) / Σ(out − 1) both ways: the ITL file cross-checks the trace's timestamps.
    expect(p.blis_observe_itl_mean_ms as number).toBeCloseTo(p.itl_mean_ms as number, 9);
    expect(p.blis_observe_itl_requests).toBe(rows.filter((r) => r.status === 'ok').length);
  });

  it('loads as a trace replay', () => {
    const [e] = parseGroundTruth({ experiments: [x.json] }, join(REPO, 'gt.json'), 'executed', () =>
      parseTraceRows(traceCsv(x.traces[0]!.rows), 't.csv'),
    );
    expect(e!.workloadForm).toBe('trace');
  });
});

describe('import BLIS traces: trace_version 2 (the March 2026 columns, no prefix_length)', () => {
  const x = importPath(join(V2, 'qwen3-14b-rate2.yaml'), { hardware: 'H100' }).experiments[0]!;
  const p = (x.json.qps_sweeps as Point[])[0]!;
  const rows = csvRows(join(V2, 'qwen3-14b-rate2.csv'));

  it('a header file argument finds its data beside it; the server block gives TP and limits', () => {
    expect(x.json).toMatchObject({
      experiment_name: 'Qwen3-14B blis-trace',
      model: 'Qwen/Qwen3-14B',
      vllm_config: {
        tensor_parallelism: 2,
        max_num_seqs: 64,
        gpu_memory_utilization: 0.85,
        max_model_len: 8192,
      },
      block_size: 16,
    });
    // The data file as the argument finds the same header.
    const y = importPath(join(V2, 'qwen3-14b-rate2.csv'), { hardware: 'H100' }).experiments[0]!;
    expect(y.json.qps_sweeps).toEqual(x.json.qps_sweeps);
  });

  it('leaves the warm-up requests out (request_id < warm_up_requests), as blis calibrate does', () => {
    const measured = rows.filter((r) => Number(r.request_id) >= 2);
    const ok = measured.filter((r) => r.status === 'ok');
    expect(p).toMatchObject({ num_sent: measured.length, num_requests: ok.length, num_failures: 1 });
    const ttft = ok.map((r) => (Number(r.first_chunk_time_us) - Number(r.send_time_us)) / 1000);
    expect(p.ttft_mean_ms as number).toBeCloseTo(ttft.reduce((a, b) => a + b, 0) / ttft.length, 9);
    expect(x.json.provenance).toContainEqual(expect.objectContaining({ key: 'warm_up_requests' }));
  });
});

describe('import BLIS traces: refusals name the file and the field (exit 2)', () => {
  const header = readFileSync(join(V3, 'trace.yaml'), 'utf8');
  const data = readFileSync(join(V3, 'trace.csv'), 'utf8');
  const refuse = (files: Record<string, string>) => () =>
    importPath(variant(V3, files), { hardware: 'H100' });

  it('an unknown trace_version', () => {
    expect(refuse({ 'trace.yaml': header.replace('trace_version: 3', 'trace_version: 4') })).toThrow(
      'trace/trace.yaml: trace_version: expected 2 or 3',
    );
  });

  it('a malformed header: not YAML, a wrong type, another time unit', () => {
    expect(refuse({ 'trace.yaml': 'trace_version: 3\nserver: [unclosed\n' })).toThrow(
      /trace\/trace.yaml: not valid YAML/,
    );
    expect(
      refuse({ 'trace.yaml': `${header}\n`.replace('type: vllm', 'type: vllm\n    tensor_parallel: two') }),
    ).toThrow('trace/trace.yaml: server.tensor_parallel:');
    expect(refuse({ 'trace.yaml': header.replace('time_unit: us', 'time_unit: ms') })).toThrow(
      'trace/trace.yaml: time_unit: expected "us"',
    );
  });

  it('a missing column, a bad cell, a repeated request', () => {
    const drop = data.replace('first_chunk_time_us,', 'first_chunk_at,');
    expect(refuse({ 'trace.csv': drop })).toThrow(
      'trace/trace.csv: header: missing column "first_chunk_time_us"',
    );
    const lines = data.split('\n');
    const bad = [lines[0], lines[1]!.replace(',true,', ',yes,'), ...lines.slice(2)].join('\n');
    expect(refuse({ 'trace.csv': bad })).toThrow(
      "trace/trace.csv: line 2: streaming: expected true or false, got 'yes'",
    );
    const neg = [lines[0], lines[1]!.replace(/^0,/, '-3,'), ...lines.slice(2)].join('\n');
    expect(refuse({ 'trace.csv': neg })).toThrow(
      "trace/trace.csv: line 2: request_id: expected a non-negative integer, got '-3'",
    );
    const dup = [lines[0], lines[1], lines[1], ...lines.slice(2)].join('\n');
    expect(refuse({ 'trace.csv': dup })).toThrow('trace/trace.csv: line 3: request_id: 0 is also on line 2');
  });

  it('an ITL row of a request the trace does not have', () => {
    const itl = `${readFileSync(join(V3, 'trace.itl.csv'), 'utf8')}99,0,1781950500000000\n`;
    expect(refuse({ 'trace.itl.csv': itl })).toThrow(
      /trace\/trace.itl.csv: line \d+: request_id: 99 is not a request of the trace/,
    );
  });

  it('a header without data beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blis-trace-'));
    writeFileSync(join(dir, 'run.yaml'), header);
    expect(() => importPath(join(dir, 'run.yaml'), { hardware: 'H100' })).toThrow(
      'run.yaml: no trace data beside it (run.csv); pass the folder',
    );
  });

  it('a trace of several models', () => {
    const lines = data.split('\n');
    const mixed = [
      lines[0],
      lines[1]!.replace('meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen3-14B'),
      ...lines.slice(2),
    ].join('\n');
    expect(refuse({ 'trace.csv': mixed })).toThrow('trace/trace.csv: model: the trace mixes 2 models');
  });
});
