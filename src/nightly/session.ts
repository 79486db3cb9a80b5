import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runEvaluation, type SessionHooks } from '../eval/session.ts';
import type { EvalSettings } from '../eval/settings.ts';
import type { EvalRun } from '../eval/types.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { compareRecords, hasRegression } from './compare.ts';
import { appendRecord, readHistory } from './history.ts';
import type { Baseline, NightlyOutcome } from './outcome.ts';
import { buildRecord } from './record.ts';
import type { HistoryRecord } from './schema.ts';

/**
 * The report writers a nightly run uses, given by the command: the session decides what is
 * written when (reports before the history), the renderers turn plain data into text, and
 * nightly/ imports nothing from report/ (which imports nightly's data types).
 */
export interface NightlyRenderers {
  summaryMd: (o: NightlyOutcome) => string;
  html: (o: NightlyOutcome) => Promise<string>;
  /** Writes the evaluator's full report into a folder. */
  evalReport: (dir: string, run: EvalRun) => Promise<unknown>;
}

export interface NightlySettings {
  eval: EvalSettings;
  historyDir: string;
  /** A record built from `--baseline <results.json>`, or null to use the history's last record. */
  baselineFile: { path: string; record: HistoryRecord } | null;
  maxRegression: number;
  /** --accept-baseline: tonight becomes the baseline even if it fails the gate. */
  acceptBaseline: boolean;
  /** Report folder; null = reports/nightly/<UTC date of the run>. */
  out: string | null;
}

export type NightlyResult =
  | { kind: 'done'; dir: string; historyFile: string; outcome: NightlyOutcome; summary: string }
  | { kind: 'interrupted'; dir: string };

/** Where the full evaluator report goes inside the nightly folder. */
export const EVAL_SUBDIR = 'eval';

/** `git rev-parse HEAD` of the working directory; undefined outside a checkout or without git. */
export function gitCommit(cwd: string = process.cwd()): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the evaluator once, writes its full report and the nightly report, and appends the record
 * to the history. Order matters: everything is rendered before the first write, and the history
 * is appended last, so a failure leaves no record pointing at a missing report. An interrupted
 * run writes its evaluator report and no record (a partial record would be a bad baseline).
 */
export async function runNightly(
  s: NightlySettings,
  hooks: SessionHooks,
  render: NightlyRenderers,
): Promise<NightlyResult> {
  const run: EvalRun = await runEvaluation(s.eval, hooks);
  const dir = s.out ?? join('reports', 'nightly', run.createdAt.slice(0, 10));
  if (!run.complete) {
    await render.evalReport(join(dir, EVAL_SUBDIR), run);
    return { kind: 'interrupted', dir };
  }
  const built = buildRecord(run, { commit: gitCommit(), report: dir });
  const read = readHistory(s.historyDir, new Date(run.createdAt));
  // The last record that passed (older records without the field did): a regression stays
  // caught night after night until it is fixed or accepted.
  const at = read.records.findLastIndex((r) => r.passed !== false);
  const baseline: Baseline | null = s.baselineFile
    ? { record: s.baselineFile.record, source: 'file', path: s.baselineFile.path }
    : at >= 0
      ? { record: read.records[at]!, source: 'history', skipped: read.records.length - 1 - at }
      : null;
  const comparison = baseline && compareRecords(baseline.record, built, s.eval.metrics, s.maxRegression);
  const failed = comparison !== null && hasRegression(comparison);
  const record: HistoryRecord = {
    ...built,
    passed: !failed || s.acceptBaseline,
    ...(failed && s.acceptBaseline && { accepted: true as const }),
  };
  const outcome: NightlyOutcome = {
    record,
    history: [...read.records, record],
    baseline,
    comparison,
    metrics: s.eval.metrics,
    evalDir: EVAL_SUBDIR,
    ...(read.corruption && { corruption: read.corruption }),
  };
  const summary = render.summaryMd(outcome);
  const html = await render.html(outcome);
  await render.evalReport(join(dir, EVAL_SUBDIR), run);
  writeFileAtomic(join(dir, 'record.json'), `${JSON.stringify(record, null, 2)}\n`);
  writeFileAtomic(join(dir, 'summary.md'), summary);
  writeFileAtomic(join(dir, 'index.html'), html);
  const historyFile = appendRecord(s.historyDir, record);
  return { kind: 'done', dir, historyFile, outcome, summary };
}
