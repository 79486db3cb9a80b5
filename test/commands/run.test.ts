import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGpu, loadHardwareConfig } from '../../src/config/hardware-config.ts';
import { deriveKvBlocksFor } from '../../src/config/latency-factory.ts';
import { loadModelConfig } from '../../src/config/model-config.ts';
import { runCli } from '../support/cli.ts';
import { sharedJson } from '../support/shared.ts';

// End to end through the real CLI: each spawn costs about a second, so the cases are few.
interface BinaryCase {
  flags: string[];
  stdout_metrics: Record<string, number | string>;
}
const case0 = sharedJson<{ cases: BinaryCase[] }>('data/blis/golden_v0.6.1_binary_outputs.json').cases[0]!;
const MODEL = 'meta-llama/llama-3.1-8b-instruct';
/** A roofline-v1 run of MODEL on one H100. */
const V1_RUN = ['run', '--model', MODEL, '--hardware', 'H100', '--tp', '1', '--latency-model', 'roofline-v1'];

/** Golden case 0's flags without the ones that pick blackbox and its KV blocks. */
function workloadFlags(): string[] {
  const drop = new Set(['--alpha-coeffs', '--beta-coeffs', '--total-kv-blocks']);
  const out: string[] = [];
  for (let i = 0; i < case0.flags.length; i += 2) {
    if (!drop.has(case0.flags[i]!)) out.push(case0.flags[i]!, case0.flags[i + 1]!);
  }
  return out;
}

const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe('blis-eval run (CLI end to end)', () => {
  it('prints pure JSON equal to golden case 0 and writes per-request records', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const results = join(dir, 'results.json');
    const r = runCli(['run', ...case0.flags, '--results-path', results]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('{') && r.out.endsWith('}\n')).toBe(true);
    const m = JSON.parse(r.out);
    expect(m.completed_requests).toBe(300);
    for (const f of ['total_input_tokens', 'total_output_tokens', 'preemption_count']) {
      expect(m[f], f).toBe(case0.stdout_metrics[f]);
    }
    for (const f of ['e2e_mean_ms', 'ttft_p99_ms', 'itl_mean_ms']) {
      expect(relErr(m[f], case0.stdout_metrics[f] as number), f).toBeLessThanOrEqual(1e-12);
    }
    const saved = JSON.parse(readFileSync(results, 'utf8'));
    expect(saved.requests).toHaveLength(300);
    expect(saved.requests[0]).toMatchObject({ requestID: 'request_0', num_prefill_tokens: 414 });
    expect(saved.requests[0].ttft_ms).toBeCloseTo(17.208, 9);
  });

  it.each(['roofline-v1', 'roofline-v2'])('runs %s on H100 TP 1 and prints the derived KV blocks', (kind) => {
    const r = runCli([
      'run',
      ...workloadFlags(),
      '--latency-model',
      kind,
      '--hardware',
      'H100',
      '--tp',
      '1',
      '--hardware-config',
      'hardware_config.blis-v0.6.1.json',
      '--log',
      'info',
    ]);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.completed_requests).toBe(300);
    expect(m.e2e_mean_ms).toBeGreaterThan(0);
    expect(m.e2e_mean_ms).not.toBe(case0.stdout_metrics.e2e_mean_ms);
    expect(r.err).toContain(`latency model: ${kind} (${kind.slice(-2)})`);
    const arch = loadModelConfig('model_configs', MODEL);
    const gpu = findGpu(loadHardwareConfig('hardware_config.blis-v0.6.1.json'), 'H100');
    const blocks = deriveKvBlocksFor(arch, gpu, 1, { blockSize: 16, maxNumBatchedTokens: 2048 }).blocks;
    expect(r.err).toContain(`derived --total-kv-blocks ${blocks} `);
  });

  it("roofline-v2 keeps BLIS's GEMM shape fallback for parity; --gemm-fallback clamp is the evaluator's", () => {
    const v2 = ['run', '--model', MODEL, '--hardware', 'H100', '--tp', '1', '--latency-model', 'roofline-v2'];
    const few = ['--num-requests', '20', '--rate', '5'];
    const blis = runCli([...v2, ...few]);
    const clamp = runCli([...v2, ...few, '--gemm-fallback', 'clamp']);
    expect(blis.code, blis.err).toBe(0);
    expect(clamp.code, clamp.err).toBe(0);
    // Llama-3.1-8B's down projection (K 14336 × N 4096) is outside H100's tables (K ≤ 8192).
    expect(blis.err).toContain('GEMM K=14336 N=4096 exceeds every measured shape; using K=8192 N=11008');
    expect(clamp.err).toContain('GEMM K=14336 N=4096 exceeds every measured shape; using K=8192 N=6144');
    expect(JSON.parse(clamp.out).ttft_mean_ms).not.toBe(JSON.parse(blis.out).ttft_mean_ms);
    const bad = runCli([...v2, ...few, '--gemm-fallback', 'nearest']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--gemm-fallback');
  });

  it('rejects a negative --rate with exit 2 and a one-line error naming the flag', () => {
    const r = runCli(['run', '--model', MODEL, '--rate', '-1']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain('--rate');
  });

  it('rejects an unknown model without coefficients with exit 2', () => {
    const r = runCli(['run', '--model', 'acme/unknown-model-7b']);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      /--model acme\/unknown-model-7b: unknown model: no coefficient row or defaults entry in .*defaults\.yaml, and no model config under .*model_configs/,
    );
  });

  it('says which coefficient row ran, in the JSON and on stderr when --hardware/--tp were not given', () => {
    const r = runCli(['run', '--model', 'meta-llama/llama-3.1-8b-instruct', '--num-requests', '5']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /warning: .*--hardware, --tp, --vllm-version not given; using the defaults entry's coefficient row meta-llama\/llama-3\.1-8b-instruct on H100, TP 2/,
    );
    const json = JSON.parse(r.out);
    expect(json.latency).toMatchObject({
      latency_model: 'blackbox',
      coefficients: { model: 'meta-llama/llama-3.1-8b-instruct', gpu: 'H100', tp: 2 },
      kv_blocks: { source: 'coefficient row' },
    });
    const roof = JSON.parse(runCli([...V1_RUN, '--num-requests', '5']).out);
    expect(roof.latency).toMatchObject({
      latency_model: 'roofline-v1',
      calibration: { gpu: 'H100', variant: 'v1-calibrated' }, // the shipped file carries the calibration
      kv_blocks: { source: expect.stringMatching(/^derived from GPU memory/) },
    });
    expect(runCli(['run', '--help']).out).toMatch(
      /--total-kv-blocks[^\n]*derived from GPU memory for roofline/,
    );
  });
});

describe('blis-eval run --workload <preset>', () => {
  it('reads the preset from --defaults-filepath, whatever the latency model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const table = readFileSync('defaults.yaml', 'utf8').replace(
      /chatbot:\n(\s+)prefix_tokens: 0\n\s+prompt_tokens: 256\n\s+prompt_tokens_stdev: 100\n\s+prompt_tokens_min: 2\n\s+prompt_tokens_max: 800\n/,
      'chatbot:\n$1prefix_tokens: 0\n$1prompt_tokens: 37\n$1prompt_tokens_stdev: 37\n$1prompt_tokens_min: 37\n$1prompt_tokens_max: 37\n',
    );
    expect(table).toContain('prompt_tokens: 37');
    writeFileSync(join(dir, 'defaults.yaml'), table);
    const r = runCli([
      ...V1_RUN,
      '--workload',
      'chatbot',
      '--num-requests',
      '5',
      '--defaults-filepath',
      join(dir, 'defaults.yaml'),
    ]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).total_input_tokens).toBe(5 * 37);
  });
});

describe('blis-eval run --workload-spec', () => {
  const base = ['run', '--model', MODEL, '--hardware', 'H100', '--tp', '1'];

  it('generates the spec workload; --num-requests given explicitly overrides the spec', () => {
    const spec = 'test/fixtures/workload-spec/two-clients.yaml';
    const r = runCli([...base, '--workload-spec', spec]);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.completed_requests).toBe(40);
    // The spec's SLO classes reach the report: 40 requests split between its two clients.
    expect(m.per_slo_metrics.interactive.n + m.per_slo_metrics.batch.n).toBe(40);
    const capped = runCli([...base, '--workload-spec', spec, '--num-requests', '10']);
    expect(JSON.parse(capped.out).injected_requests).toBe(10);
  });

  it('rejects a malformed spec with exit 2 and an error naming the file', () => {
    const r = runCli([...base, '--workload-spec', 'test/fixtures/workload-spec/malformed.yaml']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/malformed\.yaml line \d+: invalid YAML/);
  });
});
