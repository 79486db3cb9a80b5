// Calibration speed on the shipped ground truth: candidates scored per wall-second and per
// CPU-second (the machine may be shared: CPU seconds are the steadier figure) by one search
// (no cross-validation, from BLIS v0.6.1's values) with the same budget, for the previous
// default (every candidate a full replay, --fidelity 1) and today's (searches on the first
// 10 % of each stage, the winner checked against the start on full replays, then a polish
// of two full-replay candidates per field), with and without the polish, and on 20 %;
// beside each, the fitted objective it reached on full replays (lower is better).
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
  { name: 'full replays (--fidelity 1, before)', flags: ['--fidelity', '1'] },
  { name: 'default (10 %, check, polish)', flags: [] },
  { name: 'default without polish (--polish 0)', flags: ['--polish', '0'] },
  { name: '20 %, no polish', flags: ['--fidelity', '0.2', '--polish', '0'] },
];

/** CPU seconds of this process's finished children (Linux: /proc), or null elsewhere. */
function childCpuS(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // cutime and cstime, fields 16 and 17 of stat (13 and 14 after the name), in clock ticks.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

function once(
  model: string,
  budget: number,
  flags: string[],
): { wallS: number; cpuS: number | null; evals: number; objective: number; experiments: number } {
  const out = mkdtempSync(join(tmpdir(), 'bench-tune-'));
  const cpu0 = childCpuS();
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
  const cpu1 = childCpuS();
  const cpuS = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  if (r.status !== 0) throw new Error(`tune exited ${r.status}: ${r.stderr}`);
  const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  return {
    wallS,
    cpuS,
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
    const r = once(model, budget, v.flags);
    const perCpu =
      r.cpuS === null ? '' : `, ${(r.evals / r.cpuS).toFixed(2)}/CPU-s (${r.cpuS.toFixed(0)} CPU-s)`;
    lines.push(
      `  ${v.name.padEnd(38)} ${(r.evals / r.wallS).toFixed(2).padStart(6)} candidates/s  (${r.evals} in ${r.wallS.toFixed(0)} s${perCpu})  fitted objective ${r.objective.toFixed(3)} on ${r.experiments} experiments`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(benchTune(process.argv[2] ?? 'roofline-v1', Number(process.argv[3] ?? 40)));
}
