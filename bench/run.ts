// `npm run bench`: simulated requests per wall-second and peak RSS for each case, printed, never asserted.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CASES } from './cases.ts';

const only = process.argv.slice(2);
const caseFile = fileURLToPath(new URL('./case.ts', import.meta.url));
console.log('case                      requests   wall s    req/s   vs BLIS   peak RSS MiB');
for (const c of CASES) {
  if (only.length > 0 && !only.includes(c.name)) continue;
  const out = execFileSync(process.execPath, ['--import', 'tsx', caseFile, c.name], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  console.log(
    `${r.name.padEnd(24)} ${String(r.requests).padStart(9)} ${r.wallS.toFixed(2).padStart(8)} ${r.reqPerS.toFixed(0).padStart(8)} ${`${(r.reqPerS / r.blisReqPerS).toFixed(1)}x`.padStart(9)} ${r.peakRssMiB.toFixed(0).padStart(14)}`,
  );
}
