import type { ExecutedSharedPrefix } from '../workload/shared-prefix.ts';
import type { MeasuredPoint, Replay, TraceRow } from './experiment.ts';
import type { Measured, RawExperiment } from './schema.ts';

/**
 * The mean output length a point's own means imply. The ground truth defines ITL as
 * (E2E − TTFT) / (mean output − 1) for inference-perf runs, so the three means fix the mean
 * output the run had, which can be shorter than the profile's when requests end early.
 */
export function impliedOutputMean(m: Measured | null | undefined): number | undefined {
  const e2e = m?.e2e_mean_ms;
  const ttft = m?.ttft_mean_ms;
  const itl = m?.itl_mean_ms;
  if (typeof e2e !== 'number' || typeof ttft !== 'number' || typeof itl !== 'number' || itl <= 0)
    return undefined;
  const out = (e2e - ttft) / itl + 1;
  return out > 1 ? out : undefined;
}

/** The run's implied mean output: its summary's, else its stages' weighted by completed requests. */
function runImpliedOutput(raw: RawExperiment): number | undefined {
  const whole = impliedOutputMean(raw.summary);
  if (whole !== undefined || !raw.stages?.length) return whole;
  let sum = 0;
  let weight = 0;
  for (const s of raw.stages) {
    const out = impliedOutputMean(s);
    if (out === undefined) return undefined;
    const n = s.num_requests ?? 1;
    sum += n * out;
    weight += n;
  }
  return weight > 0 ? sum / weight : undefined;
}

/**
 * The client's count of each request's output where it is not what the server generated: with
 * `ignore_eos` vLLM generates exactly `output_len` tokens, and inference-perf's count is a
 * re-count of the streamed text. Undefined otherwise (the count is what was generated).
 */
export function clientRecount(raw: RawExperiment, outputLen: number, count: number): number | undefined {
  return raw.workload_config.api?.ignore_eos === true && count !== outputLen ? count : undefined;
}

/**
 * The replay of a run whose means imply another mean output than `output_len`, or undefined
 * when they imply none or the same. With `ignore_eos` the server generated `output_len` tokens
 * and only the client counted another number (a re-count of the streamed text): the replay
 * generates `output_len` and its points take ITL over the count, as the client did. Otherwise
 * the server stopped requests early: the replay generates the implied length.
 */
export function impliedReplay(
  spec: ExecutedSharedPrefix,
  raw: RawExperiment,
  points: MeasuredPoint[],
): Replay | undefined {
  const implied = runImpliedOutput(raw);
  const outputLen = spec.shared_prefix.output_len;
  if (implied === undefined || Math.round(implied) === outputLen) return undefined;
  const clientOutput = clientRecount(raw, outputLen, implied);
  if (clientOutput !== undefined)
    return { id: 'run', workload: { kind: 'executed', spec }, points, clientOutput };
  const shared_prefix = { ...spec.shared_prefix, output_len: Math.round(implied) };
  return { id: 'run', workload: { kind: 'executed', spec: { ...spec, shared_prefix } }, points };
}

/**
 * A staged run's exact trace as the server ran it: with `ignore_eos` every request generated
 * `output_len` (of what inference-perf executed) and the trace's counts are the client's
 * re-counts, so the replay generates `output_len` and measures at the counts' mean.
 */
export function generatedTrace(
  raw: RawExperiment,
  rows: TraceRow[],
): Pick<Replay, 'workload' | 'clientOutput'> {
  const resolved = raw.workload_config.resolved_by_inference_perf;
  const outputLen = (resolved as { shared_prefix?: { output_len?: unknown } } | undefined)?.shared_prefix
    ?.output_len;
  if (typeof outputLen !== 'number' || !(outputLen > 0) || rows.length === 0)
    return { workload: { kind: 'trace', rows } };
  const counted = rows.reduce((t, r) => t + r.outputTokens, 0) / rows.length;
  const clientOutput = clientRecount(raw, outputLen, counted);
  if (clientOutput === undefined) return { workload: { kind: 'trace', rows } };
  return {
    workload: { kind: 'trace', rows: rows.map((r) => ({ ...r, outputTokens: outputLen })) },
    clientOutput,
  };
}
