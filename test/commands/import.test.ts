import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadGroundTruth } from '../../src/groundtruth/load.ts';
import { SAMPLES } from '../import/helpers.ts';
import { runCli } from '../support/cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'import-cli-'));
/** The turboquant sweep's name, from its files: model, client, rates. */
const TQ_NAME = 'Llama-3.1-8B-Instruct vllm-bench rate=1,2,4,8,16,inf';
const TQ_TRACES = 'Llama-3.1-8B-Instruct_vllm-bench_rate_1_2_4_8_16_inf';
const TQ = join(SAMPLES, 'vllm-bench', 'turboquant-exp029-llama31-8b-baseline-rtx4090');
const CODEGEN = join(SAMPLES, 'inference-perf', 'training-20260217-155451-llama-2-7b-tp1-codegen');

describe('blis-eval import (end to end)', () => {
  it('writes the ground truth and its gzipped traces, says what it imported, and the file loads', () => {
    const dir = tmp();
    const out = join(dir, 'gt.json');
    const r = runCli(['import', TQ, '--out', out, '--hardware', 'RTX4090', '--tp', '1'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${TQ_NAME}: vllm-bench, 6 qps points, per-request traces`);
    expect(r.out).toContain('wrote gt.json: 1 experiments imported, 6 traces in gt.traces/');
    const traces = readdirSync(join(dir, 'gt.traces', TQ_TRACES)).sort();
    expect(traces).toEqual([
      'rate-1.csv.gz',
      'rate-16.csv.gz',
      'rate-2.csv.gz',
      'rate-4.csv.gz',
      'rate-8.csv.gz',
      'rate-inf-experiment-029-llama-8b-baseline-L2-sat-rateinf-run1.csv.gz',
    ]);
    const csv = gunzipSync(readFileSync(join(dir, 'gt.traces', TQ_TRACES, 'rate-1.csv.gz'))).toString();
    expect(csv.split('\n')[0]).toBe('arrival_s,input_tokens,output_tokens,ttft_ms,e2e_ms');
    const gt = loadGroundTruth(out);
    expect(gt.experiments[0]!.workloadForm).toBe('trace');
    const rows = gt.experiments[0]!.replays.map((x) =>
      x.workload.kind === 'trace' ? x.workload.rows.length : 0,
    );
    expect(rows).toEqual([100, 100, 100, 100, 100, 200]);
    // validate reads the written file (with .csv.gz traces) too.
    expect(runCli(['validate', out], dir).code).toBe(0);
  });

  it('is deterministic: the same import gives byte-identical files', () => {
    const [a, b] = [tmp(), tmp()];
    for (const d of [a, b])
      expect(runCli(['import', TQ, '--out', 'gt.json', '--hardware', 'RTX4090', '--tp', '1'], d).code).toBe(
        0,
      );
    expect(readFileSync(join(a, 'gt.json'), 'utf8')).toBe(readFileSync(join(b, 'gt.json'), 'utf8'));
    const f = join('gt.traces', TQ_TRACES, 'rate-8.csv.gz');
    expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
  });

  it('exits 2 naming the field and the flag, and writes nothing', () => {
    const dir = tmp();
    const r = runCli(['import', TQ, '--out', 'gt.json', '--tp', '1'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/hardware: not stated in the files; pass --hardware <gpu>/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--hardware: an ambiguous or unknown GPU exits 2 (candidates / known GPUs), any name of a known one is written canonical', () => {
    const dir = tmp();
    const base = ['import', TQ, '--out', 'gt.json', '--tp', '1', '--hardware'];
    const ambiguous = runCli([...base, 'A100'], dir);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain("GPU 'A100' is ambiguous: name one of A100-40GB, A100-80GB");
    const unknown = runCli([...base, 'B200'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /--hardware: .*hardware_config\.json: no GPU 'B200' \(known: H100, .*A100-80GB.*\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(runCli([...base, 'NVIDIA GeForce RTX 4090'], dir).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8')).experiments[0].hardware).toBe('RTX4090');
    // A GPU of the user's own hardware config (not one the table knows).
    const own = tmp();
    writeFileSync(
      join(own, 'hw.json'),
      JSON.stringify({ 'MI300X-192GB': { TFlopsPeak: 1307, BwPeakTBs: 5.3 } }),
    );
    const r = runCli([...base, 'mi300x_192gb', '--hardware-config', 'hw.json'], own);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(join(own, 'gt.json'), 'utf8')).experiments[0].hardware).toBe(
      'MI300X-192GB',
    );
  });

  it('--append adds experiments; an existing name is an error unless --replace', () => {
    const dir = tmp();
    const args = ['--hardware', 'H100', '--name', 'codegen'];
    expect(runCli(['import', CODEGEN, '--out', 'gt.json', ...args], dir).code).toBe(0);
    const first = readFileSync(join(dir, 'gt.json'), 'utf8');
    // Without --append an existing file is not touched.
    const again = runCli(['import', CODEGEN, '--out', 'gt.json', ...args], dir);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists; pass --append/);
    const dup = runCli(['import', CODEGEN, '--out', 'gt.json', '--append', ...args], dir);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/experiment "codegen" already exists; pass --replace/);
    expect(readFileSync(join(dir, 'gt.json'), 'utf8')).toBe(first);
    const tq = runCli(
      ['import', TQ, '--out', 'gt.json', '--append', '--hardware', 'RTX4090', '--tp', '1'],
      dir,
    );
    expect(tq.code).toBe(0);
    expect(loadGroundTruth(join(dir, 'gt.json')).experiments.map((x) => x.name)).toEqual([
      'codegen',
      TQ_NAME,
    ]);
    const rep = runCli(
      ['import', CODEGEN, '--out', 'gt.json', '--append', '--replace', ...args, '--total-kv-blocks', '7463'],
      dir,
    );
    expect(rep.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8'));
    expect(doc.experiments.map((x: { experiment_name: string }) => x.experiment_name)).toEqual([
      'codegen',
      TQ_NAME,
    ]);
    expect(doc.experiments[0].total_kv_blocks).toBe(7463);
    expect(doc.experiments[0].kv_blocks_source).toBe('flag --total-kv-blocks');
  });

  it('reads a vLLM log given with --vllm-log', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'vllm.log'), 'INFO GPU KV cache size: 119,408 tokens\n');
    const r = runCli(
      ['import', CODEGEN, '--out', 'gt.json', '--hardware', 'H100', '--vllm-log', 'vllm.log'],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('KV blocks: vllm.log: "GPU KV cache size: 119408 tokens" / block size 16');
    expect(JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8')).experiments[0].total_kv_blocks).toBe(7463);
  });

  it('--async-scheduling states how the server scheduled; the evaluator then charges synchronous steps', () => {
    const dir = tmp();
    const args = ['import', CODEGEN, '--out', 'gt.json', '--hardware', 'H100', '--async-scheduling', 'off'];
    expect(runCli(args, dir).code).toBe(0);
    const x = JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8')).experiments[0];
    expect(x.vllm_config.async_scheduling).toBe(false);
    expect(x.provenance).toContainEqual({
      field: 'vllm_config.async_scheduling',
      flag: '--async-scheduling',
    });
    expect(loadGroundTruth(join(dir, 'gt.json')).experiments[0]!.engine.asyncScheduling).toBe(false);
    const bad = runCli([...args.slice(0, -1), 'maybe', '--out', 'other.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--async-scheduling.*maybe/);
  });

  it('exits 2 for an unknown folder or format', () => {
    const dir = tmp();
    const missing = runCli(['import', join(dir, 'nope'), '--out', 'gt.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope: no such file or folder/);
    writeFileSync(join(dir, 'x.json'), '{"a": 1}');
    const unknown = runCli(['import', join(dir, 'x.json'), '--out', 'gt.json'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no known benchmark output/);
    expect(existsSync(join(dir, 'gt.json'))).toBe(false);
  });
});
