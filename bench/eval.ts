// The evaluator's main command on the shipped ground truth (every experiment, all three
// latency models), as a user runs it: wall time for --jobs 1 and --jobs 2, runs interleaved
// so drift in the machine's speed falls on both, and the speed-up of the medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'blis-eval.mjs');
const GT = join(ROOT, 'eval', 'combined_ground_truth.json');

function wallS(jobs: number): number {
  const out = mkdtempSync(join(tmpdir(), 'bench-eval-'));
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [BIN, '--ground-truth', GT, '--jobs', String(jobs), '--out', out, '--quiet'],
    {
      encoding: 'utf8',
    },
  );
  const s = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`blis-eval --jobs ${jobs} exited ${r.status}: ${r.stderr}`);
  return s;
}

export function benchEval(reps: number): string {
  wallS(1); // builds the bundle and warms the file cache; not counted
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < reps; i++) for (const j of [1, 2] as const) times[j].push(wallS(j));
  const [m1, m2] = [median(times[1]), median(times[2])];
  const runs = (j: 1 | 2) => times[j].map((t) => t.toFixed(2)).join(', ');
  return [
    `eval, shipped ground truth, 3 latency models (${availableParallelism()} cores; median of ${reps})`,
    `  --jobs 1  ${m1.toFixed(2)} s   (${runs(1)})`,
    `  --jobs 2  ${m2.toFixed(2)} s   (${runs(2)})`,
    `  speed-up  ${(m1 / m2).toFixed(2)}x`,
  ].join('\n');
}
