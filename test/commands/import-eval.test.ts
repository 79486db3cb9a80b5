import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.ts';

/** Import, then evaluate the written ground truth, for each format that came with issue 25. */
const FIX = join(REPO, 'test', 'fixtures', 'import');
const tmp = () => mkdtempSync(join(tmpdir(), 'import-eval-'));

interface ResultPoint {
  experiment: string;
  latencyModel: string;
  status: string;
  measured: Record<string, number>;
  requestLevel?: { requests: number };
}

function evaluate(gt: string, dir: string, extra: string[] = []) {
  const r = runCli(['--ground-truth', gt, '--out', join(dir, 'rep'), '--jobs', '1', '--quiet', ...extra]);
  const results = JSON.parse(readFileSync(join(dir, 'rep', 'results.json'), 'utf8')) as {
    points: ResultPoint[];
  };
  return { ...r, points: results.points };
}

/** Imports one fixture run into `dir`/gt.json; the import must succeed silently on stderr. */
function importFixture(dir: string, ...fixture: string[]) {
  const gt = join(dir, 'gt.json');
  const imp = runCli(['import', join(FIX, ...fixture), '--hardware', 'H100', '--out', gt], dir);
  expect(imp.err).toBe('');
  expect(imp.code).toBe(0);
  return { gt, out: imp.out };
}

describe('import + evaluate: printed vllm bench results', () => {
  it('imports the vLLM docs example and every applicable latency model replays it', () => {
    const dir = tmp();
    const { gt, out } = importFixture(dir, 'vllm-bench-text', 'vllm-docs');
    expect(out).toContain(
      'Hermes-3-Llama-3.1-8B vllm-bench rate=inf n=10: vllm-bench-text, 1 printed runs, summary only, KV blocks: not in the files',
    );
    // Hermes-3-Llama-3.1-8B is a Llama-3.1-8B fine-tune: the same config.json under its own name.
    const configs = join(dir, 'model_configs');
    mkdirSync(join(configs, 'hermes-3-llama-3.1-8b'), { recursive: true });
    cpSync(
      join(REPO, 'model_configs', 'llama-3.1-8b-instruct', 'config.json'),
      join(configs, 'hermes-3-llama-3.1-8b', 'config.json'),
    );
    const ev = evaluate(gt, dir, ['--model-config-folder', configs]);
    expect(ev.code).toBe(0);
    expect(ev.out).toMatch(/verdict/i);
    const ok = ev.points.filter((p) => p.status === 'ok');
    expect(ok.map((p) => p.latencyModel).sort()).toEqual(['roofline-v1', 'roofline-v2', 'trained-physics']);
    expect(ok[0]!.measured).toMatchObject({ ttft_mean: 71.54, itl_mean: 7.91 });
  });

  it('exits 2 naming the file and the line of a malformed block, and writes nothing', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'bench.txt'),
      '============ Serving Benchmark Result ============\nSuccessful requests: ten\n',
    );
    const r = runCli(['import', join(dir, 'bench.txt'), '--hardware', 'H100', '--out', 'gt.json'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`bench.txt: line 2: "Successful requests": expected a number, got 'ten'`);
    expect(readdirSync(dir)).toEqual(['bench.txt']);
  });
});

describe('import + evaluate: BLIS traces', () => {
  it('imports a blis observe trace and replays it request by request', () => {
    const dir = tmp();
    const { gt, out } = importFixture(dir, 'blis-trace', 'observe-v3');
    expect(out).toContain(
      'Llama-3.1-8B-Instruct blis-trace: blis-trace, trace v3, 15 of 16 requests per-request (+ ITL)',
    );
    expect(out).toContain('1 traces in gt.traces/');
    const ev = evaluate(gt, dir);
    expect(ev.code).toBe(0);
    expect(ev.out).toMatch(/verdict/i);
    const ok = ev.points.filter((p) => p.status === 'ok');
    expect(ok.length).toBe(4);
    // Each simulated request scored against the same real one.
    expect(ok.every((p) => p.requestLevel?.requests === 15)).toBe(true);
  });

  it('exits 2 on an unknown trace_version, naming the file and the field', () => {
    const dir = tmp();
    const src = join(FIX, 'blis-trace', 'observe-v2');
    cpSync(src, join(dir, 'run'), { recursive: true });
    const header = join(dir, 'run', 'qwen3-14b-rate2.yaml');
    writeFileSync(header, readFileSync(header, 'utf8').replace('trace_version: 2', 'trace_version: 1'));
    const r = runCli(['import', join(dir, 'run'), '--hardware', 'H100', '--out', 'gt.json'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('run/qwen3-14b-rate2.yaml: trace_version: expected 2 or 3');
  });
});
