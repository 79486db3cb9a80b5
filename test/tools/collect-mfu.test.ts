import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The MFU collector (tools/collect_mfu) is Python; its own unittest suite needs no GPU and no
 * torch. This wrapper runs it inside `npm test` so a broken collector fails CI like any other
 * test, and checks that what the collector writes is what blis-eval reads: a run with a
 * synthetic measurement backend (tools/collect_mfu/tests/synthetic_run.py, test-only) must pass
 * `blis-eval bench validate` and drive a roofline-v2 simulation. Machines without python3 skip
 * it (with a message) instead of failing.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repoRoot, 'bin', 'blis-eval.mjs');

function spawn(cmd: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    // No __pycache__ folders left in the work tree by the test run.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
}

const runPython = (args: readonly string[]) => spawn('python3', args);
const runCli = (args: readonly string[]) => spawn(process.execPath, [cli, ...args]);

function pythonVersion(): string | undefined {
  const r = runPython(['--version']);
  if (r.error !== undefined || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim();
}

const python = pythonVersion();
if (python === undefined) {
  console.warn('tools/collect_mfu tests skipped: python3 is not on PATH');
}

describe.skipIf(python === undefined)(`tools/collect_mfu with ${python ?? 'no python3'}`, () => {
  it('passes its unittest suite', () => {
    const r = runPython(['-m', 'unittest', 'discover', '-s', 'tools/collect_mfu/tests']);
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).toBe(0);
    expect(output).toMatch(/Ran [1-9]\d* tests/);
    expect(output).toMatch(/^OK/m);
  });

  it('lists the llama-3.1-8b shapes with --dry-run and exits 0', () => {
    const r = runPython([
      '-m',
      'tools.collect_mfu',
      '--dry-run',
      '--model-configs',
      'tools/collect_mfu/tests/fixtures/model_configs',
      '--models',
      'llama-3.1-8b-instruct',
      '--tp',
      '1,2',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('k=4096 n=6144: llama-3.1-8b-instruct tp1 qkv');
    expect(r.stdout).toContain('k=4096 n=3072: llama-3.1-8b-instruct tp2 qkv');
    expect(r.stdout).toContain('k=4096 n=1024: llama-3.1-8b-instruct roofline-v2 k/v');
    expect(r.stdout).toContain('mha_decode_fp16_tp<N>.csv');
    expect(r.stdout).toMatch(/estimated time on .*: ~/);
  });

  describe('a synthetic run over every model in model_configs/', () => {
    let root = '';
    let gpuDir = '';
    let collected: SpawnSyncReturns<string>;

    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'collect-mfu-'));
      gpuDir = join(root, 'h100');
      // --quick keeps it small; the real hardware_config.json and model_configs/ are used.
      collected = runPython([
        'tools/collect_mfu/tests/synthetic_run.py',
        '--quick',
        '--gpu',
        'H100',
        '--out',
        root,
      ]);
    }, 120_000);
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('writes bench_data/<gpu>/ and marks its README as synthetic', () => {
      expect(collected.status, collected.stderr).toBe(0);
      const readme = readFileSync(join(gpuDir, 'README.md'), 'utf8');
      expect(readme).toMatch(/^# MFU benchmark tables: H100\n/);
      expect(readme).toContain('SYNTHETIC TABLES, NOT MEASUREMENTS');
      expect(readme).toContain("hardware_config.json entry 'H100'");
      const gemm = readFileSync(join(gpuDir, 'gemm_bench', 'gemm_fp16.csv'), 'utf8');
      expect(gemm.split('\n')[0]).toBe('m,k,n,latency_us,mfu');
    });

    it('passes blis-eval bench validate, for the GPU folder and for the root', () => {
      for (const dir of [gpuDir, root]) {
        const r = runCli(['bench', 'validate', dir]);
        expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(`${gpuDir}: OK`);
        expect(r.stdout).not.toContain('error');
        expect(r.stdout).toMatch(/prefill 32-8-128: 3 rows/);
        expect(r.stdout).toMatch(/decode 32-8-128 TP 2: 9 rows/);
      }
    });

    it('drives roofline-v2 with no nearest-shape fallback for dense and MoE models', () => {
      for (const model of ['meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen3-30B-A3B']) {
        const r = runCli([
          'run',
          '--model',
          model,
          '--hardware',
          'H100',
          '--tp',
          '2',
          '--model-config-folder',
          'model_configs',
          '--hardware-config',
          'hardware_config.json',
          '--bench-data-path',
          root,
          '--num-requests',
          '5',
          '--log',
          'info',
        ]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain('latency model: roofline-v2');
        // The planner measures every whole weight roofline-v2 looks up, and decode at TP 2.
        expect(r.stderr).not.toMatch(/exceeds every measured shape|no decode attention table/);
        expect(JSON.parse(r.stdout).e2e_mean_ms).toBeGreaterThan(0);
      }
    });
  });
});
