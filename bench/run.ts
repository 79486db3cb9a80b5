// `npm run bench [case…] [score] [eval] [tune]`: simulated requests per wall-second, CPU
// seconds (steadier than wall time on a shared machine) and peak RSS for each case; one
// tuner candidate's simulations in one thread (BENCH_SCORE_CANDIDATES, default 4); the
// evaluator's wall time for 1 and 2 jobs; then the tuner's candidates per second
// (BENCH_TUNE_EVALS candidates, default 40). Printed, never asserted.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CASES } from './cases.ts';
import { benchEval } from './eval.ts';
import { benchScore } from './score.ts';
import { benchTune } from './tune.ts';

const only = process.argv.slice(2);
const caseFile = fileURLToPath(new URL('./case.ts', import.meta.url));
const cases = CASES.filter((c) => only.length === 0 || only.includes(c.name));
if (cases.length > 0)
  console.log('case                      requests   wall s    CPU s    req/s   vs BLIS   peak RSS MiB');
for (const c of cases) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', caseFile, c.name], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  console.log(
    `${r.name.padEnd(24)} ${String(r.requests).padStart(9)} ${r.wallS.toFixed(2).padStart(8)} ${r.cpuS.toFixed(2).padStart(8)} ${r.reqPerS.toFixed(0).padStart(8)} ${`${(r.reqPerS / r.blisReqPerS).toFixed(1)}x`.padStart(9)} ${r.peakRssMiB.toFixed(0).padStart(14)}`,
  );
}
if (only.length === 0 || only.includes('score'))
  console.log(`\n${benchScore('roofline-v1', Number(process.env.BENCH_SCORE_CANDIDATES ?? 4))}`);
if (only.length === 0 || only.includes('eval'))
  console.log(`\n${benchEval(Number(process.env.BENCH_REPS ?? 3))}`);
if (only.length === 0 || only.includes('tune'))
  console.log(`\n${benchTune('roofline-v1', Number(process.env.BENCH_TUNE_EVALS ?? 40))}`);
