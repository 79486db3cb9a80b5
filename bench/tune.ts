// Calibration speed on the shipped ground truth: candidates scored per wall-second by one
// search (no cross-validation, from BLIS v0.6.1's values) with the same budget, for the
// previous default (compass search, every candidate a full replay of every experiment, the
// run whose server failed 85 % of its requests included) and for today's (that run left
// out, Nelder–Mead, racing, searches on the first 20 % or 10 % of each stage), one after
// the other; beside each, the fitted objective it reached on full replays of today's set
// (lower is better). The last rows spend about the compass search's wall time: the 20 %
// search with four times the candidates, and with twice the candidates and a full-replay
// polish (24 candidates).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'blis-eval.mjs');
const GT = join(ROOT, 'eval', 'combined_ground_truth.json');
// Every variant starts from BLIS v0.6.1's values, as a calibration from scratch does.
const START = join(ROOT, 'hardware_config.blis-v0.6.1.json');

const VARIANTS = [
  {
    name: 'compass, full runs, all 16 (before)',
    flags: ['--method', 'compass', '--race', 'off', '--include-failing'],
  },
  { name: 'compass, full runs', flags: ['--method', 'compass', '--race', 'off'] },
  { name: 'nelder-mead, racing, 20 %', flags: ['--fidelity', '0.2'] },
  { name: 'nelder-mead, racing, 10 %', flags: ['--fidelity', '0.1'] },
  { name: 'nelder-mead, racing, 20 %, 4× candidates', flags: ['--fidelity', '0.2'], budgetScale: 4 },
  {
    name: 'nelder-mead, racing, 20 %, 2× + polish 24',
    flags: ['--fidelity', '0.2', '--polish', '24'],
    budgetScale: 2,
  },
];

function once(
  model: string,
  budget: number,
  flags: string[],
): { wallS: number; evals: number; objective: number; experiments: number } {
  const out = mkdtempSync(join(tmpdir(), 'bench-tune-'));
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'tune',
      '--ground-truth',
      GT,
      '--hardware-config',
      START,
      '--latency-model',
      model,
      '--hardware',
      'H100',
      '--cv',
      'none',
      '--max-evals',
      String(budget),
      '--dry-run',
      '--quiet',
      '--jobs',
      '2',
      '--out',
      out,
      ...flags,
    ],
    { encoding: 'utf8' },
  );
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`tune exited ${r.status}: ${r.stderr}`);
  const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  return {
    wallS,
    evals: res.final.search.evaluations,
    objective: res.final.fitted.objective,
    experiments: res.final.fitted.ok + res.final.fitted.failed,
  };
}

export function benchTune(model: string, budget: number): string {
  const lines = [
    `tune ${model}, shipped ground truth, from BLIS v0.6.1's values, ${budget} candidates, no CV (${availableParallelism()} cores, --jobs 2)`,
  ];
  for (const v of VARIANTS) {
    const r = once(model, budget * (v.budgetScale ?? 1), v.flags);
    lines.push(
      `  ${v.name.padEnd(42)} ${(r.evals / r.wallS).toFixed(2).padStart(6)} candidates/s  (${r.evals} in ${r.wallS.toFixed(0)} s)  fitted objective ${r.objective.toFixed(3)} on ${r.experiments} experiments`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(benchTune(process.argv[2] ?? 'roofline-v1', Number(process.argv[3] ?? 40)));
}
