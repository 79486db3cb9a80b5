import type { MeasuredPoint } from '../groundtruth/experiment.ts';
import type { ClientRequest } from './client-count.ts';
import type { ReplayCheck, ReplayFigures, ReplayQuantity } from './types.ts';

/** A replay differing from the measurement by more than this (relative) is a workload mismatch. */
export const REPLAY_TOLERANCE = 0.05;

export const REPLAY_QUANTITIES: readonly ReplayQuantity[] = [
  'completed',
  'promptMean',
  'outputMean',
  'requestsPerSec',
];

/**
 * What the replay sent for a point, next to what the load generator measured: completed
 * requests, mean prompt and output lengths (over completed requests, as measured), and the
 * request throughput over the point's span (first arrival to last completion, as
 * inference-perf reports it). Undefined where the file measured none of them. An unpaced
 * closed loop sends as fast as the simulated server finishes: its request rate is a result,
 * shown but never a mismatch.
 */
export function replayCheck(
  requests: readonly ClientRequest[],
  point: MeasuredPoint,
  rateIsResult = false,
): ReplayCheck | undefined {
  const measured = point.workload;
  if (measured === undefined) return undefined;
  let completed = 0;
  let prompt = 0;
  let output = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of requests) {
    if (!r.completed || (point.stage !== null && r.stage !== point.stage)) continue;
    completed++;
    prompt += r.inputLen;
    output += r.outputLen;
    if (r.arrival < first) first = r.arrival;
    if (r.arrival + r.e2e > last) last = r.arrival + r.e2e;
  }
  const span = (last - first) / 1e6;
  const sent: ReplayFigures = {
    completed,
    promptMean: completed > 0 ? prompt / completed : 0,
    outputMean: completed > 0 ? output / completed : 0,
    requestsPerSec: span > 0 ? completed / span : 0,
  };
  const mismatch = REPLAY_QUANTITIES.filter((q) => {
    if (rateIsResult && q === 'requestsPerSec') return false;
    const m = measured[q];
    return m !== undefined && Math.abs(sent[q] - m) > REPLAY_TOLERANCE * Math.abs(m);
  });
  return { sent, measured: { ...measured }, mismatch };
}
