import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT, InputError } from '../errors.ts';
import { runEvaluation } from '../eval/session.ts';
import type { EvalRun, Gate } from '../eval/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import { fileStamp } from '../paths.ts';
import { gateLines } from '../report/format.ts';
import { renderTerminal } from '../report/terminal.ts';
import { writeReportFiles } from '../report/write.ts';
import { runWithConsole } from './console-run.ts';
import { addEvalOptions, addSelectionOptions, parseEvalOptions } from './eval-options.ts';

/** The evaluator's flags and action, on the program itself and as `blis-eval eval`. */
export function registerEval(program: Command): void {
  const sub = program
    .command('eval')
    .description('replay ground truth through every latency model (the default)');
  for (const cmd of [program, sub]) {
    addSelectionOptions(addEvalOptions(cmd))
      .option('--out <dir>', 'report folder (default reports/<time>-<run id>)')
      .option('--format <format>', 'stdout: table or json (results.json)', 'table')
      .option('--fail-above <pct>', 'exit 1 when any model MAPE of a chosen metric exceeds this')
      .option('--verbose', 'per-experiment table', false)
      .action(async (raw: Record<string, unknown>, command: Command) => {
        process.exitCode = await evalAction(raw, (f) => command.getOptionValueSource(f) === 'cli');
      });
  }
}

async function evalAction(raw: Record<string, unknown>, given: (flag: string) => boolean): Promise<number> {
  const settings = parseEvalOptions(raw, given);
  if (raw.format !== 'table' && raw.format !== 'json') {
    throw new InputError(`--format must be table or json, got '${raw.format}'`);
  }
  const failAbove = raw.failAbove === undefined ? null : Number(raw.failAbove);
  if (failAbove !== null && !(failAbove >= 0)) {
    throw new InputError(`--fail-above must be a percentage >= 0, got '${raw.failAbove}'`);
  }
  const run = await runWithConsole(
    {
      label: 'simulating',
      quiet: settings.quiet,
      onInterrupt: 'finishing the report with the jobs that completed',
    },
    (hooks) => runEvaluation(settings, hooks),
  );
  if (failAbove !== null) run.gate = gate(run, settings.metrics, failAbove);
  const stamp = fileStamp(new Date(run.createdAt));
  const dir = typeof raw.out === 'string' ? raw.out : join('reports', `${stamp}-${run.runId}`);
  await writeReportFiles(dir, run);
  if (raw.format === 'json') process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  else
    process.stdout.write(renderTerminal(run, { verbose: raw.verbose === true, metrics: settings.metrics }));
  process.stderr.write(`report: ${dir}${run.complete ? '' : ' (INCOMPLETE: interrupted)'}\n`);
  if (!run.complete) return EXIT.interrupted;
  if (run.gate === undefined || run.gate.crossed.length === 0) return EXIT.ok;
  for (const line of gateLines(run.gate)) process.stderr.write(`${line}\n`);
  return EXIT.threshold;
}

/** Which latency models' MAPE of a chosen metric is above the threshold. */
export function gate(run: EvalRun, metrics: readonly Metric[], failAbove: number): Gate {
  const crossed = run.stats.models.flatMap((m) =>
    m.metrics
      .filter((s) => metrics.includes(s.metric) && s.mape > failAbove)
      .map((s) => ({ latencyModel: m.latencyModel, metric: s.metric, mape: s.mape })),
  );
  return { failAbove, metrics: [...metrics], crossed };
}
