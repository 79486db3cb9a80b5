import type { EvalRun, PointResult, ReplayCheck, ReplayQuantity } from '../eval/types.ts';
import type { Table } from './tables.ts';

/** The label of a point whose replay differs from what was measured. */
export const WORKLOAD_MISMATCH = 'workload mismatch';

/** How reports name the replay-check quantities. */
export const REPLAY_LABELS: Record<ReplayQuantity, string> = {
  completed: 'completed requests',
  promptMean: 'mean prompt tokens',
  outputMean: 'mean output tokens',
  requestsPerSec: 'requests/s',
};

export function figure(v: number | undefined): string {
  if (v === undefined) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 100 ? 2 : 1);
}

/** "workload mismatch: completed requests 4800 vs 732 measured, …", or '' when the replay matches. */
export function mismatchText(check: ReplayCheck | undefined): string {
  if (!check || check.mismatch.length === 0) return '';
  const parts = check.mismatch.map(
    (q) => `${REPLAY_LABELS[q]} ${figure(check.sent[q])} vs ${figure(check.measured[q])} measured`,
  );
  return `${WORKLOAD_MISMATCH}: ${parts.join(', ')}`;
}

/**
 * One checked point per experiment × point: the first ok result in the run's order (the
 * lengths sent do not depend on the latency model; completions and throughput may).
 */
export function replayPoints(run: EvalRun): (PointResult & { replay: ReplayCheck })[] {
  const seen = new Set<string>();
  const out: (PointResult & { replay: ReplayCheck })[] = [];
  for (const p of run.points) {
    const key = `${p.experiment}\u0000${p.point}`;
    if (p.replay === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push(p as PointResult & { replay: ReplayCheck });
  }
  return out;
}

/** "replay / measured" cell of one quantity. */
function cell(check: ReplayCheck, q: ReplayQuantity): string {
  return check.measured[q] === undefined
    ? `${figure(check.sent[q])} / —`
    : `${figure(check.sent[q])} / ${figure(check.measured[q])}`;
}

/**
 * What each checked point's replay sent against what was measured ("replay / measured"), and
 * the label: ok, or "workload mismatch: <quantities>" when one is more than 5 % apart.
 */
export function replayTable(run: EvalRun): Table {
  const form = new Map(run.experiments.map((e) => [e.name, e.meta.workloadForm]));
  return {
    head: ['experiment', 'point', 'workload form', ...Object.values(REPLAY_LABELS), 'check'],
    align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l'],
    rows: replayPoints(run).map((p) => [
      p.experiment,
      p.point,
      form.get(p.experiment) ?? p.meta.workloadForm,
      ...(Object.keys(REPLAY_LABELS) as ReplayQuantity[]).map((q) => cell(p.replay, q)),
      p.replay.mismatch.length === 0
        ? 'ok'
        : `${WORKLOAD_MISMATCH}: ${p.replay.mismatch.map((q) => REPLAY_LABELS[q]).join(', ')}`,
    ]),
  };
}

export const REPLAY_NOTE =
  'Replay vs measurement: "replay / measured" per point (completed requests; mean prompt and output tokens of ' +
  'completed requests; requests/s from the first arrival to the last completion). Where a point reports no ' +
  'output token rate or statistics, its measured mean output is the count its E2E, TTFT and ITL means imply ' +
  '(ITL = (E2E - TTFT) / (output - 1)); a run with ignore_eos generates output_len and counts as its client ' +
  'did. More than 5 % apart on any of them: the point is a workload mismatch, so its latency errors are not ' +
  "the latency model's alone.";
