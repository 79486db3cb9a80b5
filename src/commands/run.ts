import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { writeFileAtomic } from '../fs-atomic.ts';
import { requestRecords, runReport } from '../report/run-json.ts';
import { runCluster } from '../sim/cluster.ts';
import { addRunFlags, FlagReader, parseRunFlags } from './run-flags.ts';
import { planRun } from './run-setup.ts';

/** `blis-eval run`: one BLIS-compatible simulation; stdout is one JSON object. */
export function registerRun(program: Command): void {
  addRunFlags(
    program.command('run').description('run one simulation with BLIS v0.6.1 flags; prints JSON metrics'),
  )
    .allowExcessArguments(false)
    .action((raw: Record<string, unknown>) => {
      const flags = parseRunFlags(raw);
      const plan = planRun(flags);
      const f = new FlagReader(flags);
      const quiet = f.str('log') === 'error' || f.str('log') === 'warn';
      // Warnings show at every level but error; notes only from info down.
      for (const n of plan.notes) {
        const warning = n.startsWith('warning:');
        if (warning ? f.str('log') !== 'error' : !quiet) process.stderr.write(`${n}\n`);
      }
      const res = runCluster(plan.cluster, plan.latency, plan.source);
      const report = runReport(res, {
        horizon: plan.cluster.horizon,
        constantPriority: plan.cluster.priorityPolicy === 'constant',
        fitnessWeights: f.str('fitness-weights'),
        summarizeTrace: f.bool('summarize-trace'),
      });
      // What ran: latency model, coefficient row or calibration, KV blocks and their source.
      report.latency = plan.latencyInfo;
      const resultsPath = f.str('results-path');
      if (resultsPath) {
        const full: Record<string, unknown> = { ...report, requests: requestRecords(res) };
        if (res.trace) full.trace = res.trace;
        writeFileAtomic(resultsPath, `${JSON.stringify(full, null, 2)}\n`);
      }
      writeFileSync(1, `${JSON.stringify(report, null, 2)}\n`);
    });
}
