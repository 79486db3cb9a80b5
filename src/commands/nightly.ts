import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT, InputError } from '../errors.ts';
import { hasRegression } from '../nightly/compare.ts';
import { checkHistoryDir } from '../nightly/history.ts';
import { recordFromResultsFile } from '../nightly/record.ts';
import { type NightlySettings, runNightly } from '../nightly/session.ts';
import { renderNightlyHtml } from '../report/nightly-html.ts';
import { renderNightlyMd } from '../report/nightly-md.ts';
import { writeReportFiles } from '../report/write.ts';
import { runWithConsole } from './console-run.ts';
import { addEvalOptions, parseEvalOptions } from './eval-options.ts';

/**
 * `blis-eval nightly`: one evaluator run, a history record, a trend report and a regression
 * gate (exit 1 on a regression, 0 otherwise, 2 on bad input, 130 when interrupted).
 */
export function registerNightly(program: Command): void {
  addEvalOptions(
    program
      .command('nightly')
      .description('nightly accuracy record, trend report and regression gate against a baseline'),
  )
    .option('--history <dir>', 'folder of history.jsonl (one record per run)', 'reports/history')
    .option(
      '--baseline <results.json>',
      'compare with this evaluator results.json instead of the last record',
    )
    .option(
      '--max-regression <pp>',
      'MAPE rise (percentage points) tolerated beyond the bootstrap noise',
      '2',
    )
    .option(
      '--accept-baseline',
      'make tonight the baseline even if it regresses (a regression stays caught until fixed or accepted)',
      false,
    )
    .option('--out <dir>', 'report folder (default reports/nightly/<UTC date>)')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      process.exitCode = await nightlyAction(raw, (f) => command.getOptionValueSource(f) === 'cli');
    });
}

/** Validates every nightly flag before anything runs, so bad input costs no simulation. */
export function parseNightlyOptions(
  raw: Record<string, unknown>,
  given: (flag: string) => boolean,
): NightlySettings {
  const evalSettings = parseEvalOptions(raw, given);
  const maxRegression = Number(raw.maxRegression);
  if (String(raw.maxRegression).trim() === '' || !(maxRegression >= 0) || !Number.isFinite(maxRegression)) {
    throw new InputError(
      `--max-regression must be a number of percentage points >= 0, got '${raw.maxRegression}'`,
    );
  }
  const historyDir = resolve(String(raw.history));
  checkHistoryDir(historyDir);
  const baselineFile =
    typeof raw.baseline === 'string'
      ? { path: raw.baseline, record: recordFromResultsFile(raw.baseline) }
      : null;
  return {
    eval: evalSettings,
    historyDir,
    baselineFile,
    maxRegression,
    acceptBaseline: raw.acceptBaseline === true,
    out: typeof raw.out === 'string' ? raw.out : null,
  };
}

async function nightlyAction(
  raw: Record<string, unknown>,
  given: (flag: string) => boolean,
): Promise<number> {
  const s = parseNightlyOptions(raw, given);
  const quiet = s.eval.quiet;
  const result = await runWithConsole(
    { label: 'simulating', quiet, onInterrupt: 'writing the evaluator report; no history record' },
    (hooks) =>
      runNightly(s, hooks, {
        summaryMd: renderNightlyMd,
        html: renderNightlyHtml,
        evalReport: writeReportFiles,
      }),
  );
  if (result.kind === 'interrupted') {
    process.stderr.write(`report: ${result.dir} (INCOMPLETE: interrupted, nothing recorded)\n`);
    return EXIT.interrupted;
  }
  const { outcome } = result;
  // A damaged history is news even with --quiet: it is the one thing a nightly job must not hide.
  if (outcome.corruption) {
    const c = outcome.corruption;
    process.stderr.write(
      `warning: history corrupted at line ${c.line}: ${c.reason}\n` +
        `warning: kept it aside as ${c.movedTo} (not modified); started a new history\n`,
    );
  }
  process.stdout.write(result.summary);
  process.stderr.write(`report: ${result.dir}\nhistory: ${result.historyFile}\n`);
  const failed = outcome.comparison !== null && hasRegression(outcome.comparison);
  if (failed && outcome.record.accepted) {
    process.stderr.write('regression accepted (--accept-baseline): tonight is the new baseline\n');
    return EXIT.ok;
  }
  return failed ? EXIT.threshold : EXIT.ok;
}
