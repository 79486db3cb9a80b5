/**
 * The ground truth's metric definitions over per-request samples (docs/ground-truth-format.md):
 * means, numpy-"linear" percentiles, and ITL = (E2E mean − TTFT mean) / (mean output − 1).
 */
import type { RequestRecord } from './types.ts';

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** numpy's default (linear) percentile of ascending-sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  return lo === hi ? a : a + (sorted[hi]! - a) * (rank - lo);
}

/** The ground truth's ITL: a request-level TPOT from the means; null when it is undefined. */
export function itlMeanMs(e2eMeanMs: number | null, ttftMeanMs: number | null, outputMean: number | null) {
  if (e2eMeanMs === null || ttftMeanMs === null || outputMean === null || outputMean <= 1) return null;
  return (e2eMeanMs - ttftMeanMs) / (outputMean - 1);
}

/** Adds the ground truth's ITL to a summary of ms metrics, when its E2E and TTFT means allow it. */
export function addItl(summary: Record<string, number>, outputMean: number | undefined): void {
  const itl = itlMeanMs(summary.e2e_mean_ms ?? null, summary.ttft_mean_ms ?? null, outputMean ?? null);
  if (itl !== null) summary.itl_mean_ms = itl;
}

/** Measured metrics of a set of successful requests, as the ground truth names them. */
export function measuredOfRequests(ok: readonly RequestRecord[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const put = (name: string, values: number[]) => {
    if (values.length === 0) return;
    const sorted = [...values].sort((a, b) => a - b);
    out[`${name}_mean_ms`] = mean(values);
    for (const p of [50, 90, 95, 99]) out[`${name}_p${p}_ms`] = percentile(sorted, p);
  };
  const ttft = ok.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
  const e2e = ok.flatMap((r) => (r.e2eMs === null ? [] : [r.e2eMs]));
  put('ttft', ttft);
  put('e2e', e2e);
  const itl = itlMeanMs(
    e2e.length === ok.length && ok.length > 0 ? mean(e2e) : null,
    ttft.length === ok.length && ok.length > 0 ? mean(ttft) : null,
    ok.length > 0 ? mean(ok.map((r) => r.outputTokens)) : null,
  );
  if (itl !== null) out.itl_mean_ms = itl;
  return out;
}

/** `measured_token_stats` as the shipped ground truth has them (mean, min, p10, median, p90, max). */
export function tokenStats(values: readonly number[]) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    mean: mean(s),
    min: s[0]!,
    p10: percentile(s, 10),
    median: percentile(s, 50),
    p90: percentile(s, 90),
    max: s.at(-1)!,
  };
}

export function measuredTokenStats(ok: readonly RequestRecord[]) {
  return {
    prompt_len: tokenStats(ok.map((r) => r.inputTokens)),
    output_len: tokenStats(ok.map((r) => r.outputTokens)),
  };
}
