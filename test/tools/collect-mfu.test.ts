import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The MFU collector (tools/collect_mfu) is Python; its own unittest suite needs no GPU and no
 * torch. This wrapper runs it inside `npm test` so a broken collector fails CI like any other
 * test. Machines without python3 skip it (with a message) instead of failing.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function runPython(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync('python3', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    // No __pycache__ folders left in the work tree by the test run.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
}

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
    expect(r.stdout).toContain('mha_decode_fp16_tp<N>.csv');
  });
});
