/**
 * One measured run as a `qps_sweeps` point: metrics from its requests when it has them
 * (the ground truth's definitions), else from its summary; the exact request stream as a
 * trace to write beside the ground truth; and a distribution from its token counts for a
 * replay from the summary only (`--summary-only`).
 */
import { InputError } from '../errors.ts';
import { slug } from './assemble.ts';
import type { ImportContext } from './context.ts';
import { mean, measuredOfRequests, measuredTokenStats } from './stats.ts';
import type { RequestRecord, SourceRef, TraceOut } from './types.ts';

export interface TokenSummary {
  mean: number;
  stdev?: number;
  min?: number;
  max?: number;
}

export interface RunInput {
  /** Point label for file names and messages (`rate-4`, the report file's stem). */
  label: string;
  file: string;
  /** Requested rate; 'inf' = every request at once; null = not a rate-driven run. */
  rate: number | 'inf' | null;
  /** The client's limit on requests in flight, and the key it was read from; null: none. */
  maxConcurrency?: { value: number; key: string } | null;
  achievedRate: number | null;
  sent: number;
  failed: number;
  /** Every request (successful and failed) when the file has per-request data. */
  records: RequestRecord[] | null;
  /**
   * When the file saved no send times: `all-at-once` (rate inf: each request starts at 0, a
   * trace) or `lost` (a finite rate: no trace). Absent: the records carry their send times.
   */
  arrivals?: 'all-at-once' | 'lost';
  /** Metrics from the file's own summary (ms, ground-truth names). */
  summary: Record<string, number>;
  /** Token counts of the successful requests, from the summary. */
  input: TokenSummary | null;
  output: TokenSummary | null;
  extra?: Record<string, unknown>;
}

/** The rate a summary-only replay of an unbounded (`inf`) run uses: every request at once. */
export const BURST_RATE = 1e6;

export function qpsPoint(
  run: RunInput,
  experiment: string,
  ctx: ImportContext,
  provenance: SourceRef[],
): { point: Record<string, unknown> | null; trace: TraceOut | null; skipped: string | null } {
  const ok = run.records?.filter((r) => r.ok) ?? null;
  const completed = ok ? ok.length : run.sent - run.failed;
  if (completed <= 0) {
    const reason = `${run.file}: every request failed (${run.failed} of ${run.sent}): point skipped`;
    provenance.push({ field: `qps_sweeps (${run.label})`, file: run.file, note: reason });
    return { point: null, trace: null, skipped: reason };
  }
  const perRequest = ok !== null && ok.length > 0 && !ctx.flags.summaryOnly;
  const measured = perRequest ? measuredOfRequests(ok) : run.summary;
  const point: Record<string, unknown> = {};
  if (typeof run.rate === 'number') point.qps = run.rate;
  let trace: TraceOut | null = null;
  if (perRequest && run.arrivals !== 'lost') {
    trace = { ref: `${ctx.traceDir}/${slug(experiment)}/${slug(run.label)}.csv.gz`, rows: ok };
    point.trace = trace.ref;
    provenance.push({
      field: `qps_sweeps (${run.label}).trace`,
      file: run.file,
      note: `${ok.length} successful requests: arrival, tokens, TTFT, E2E${run.arrivals === 'all-at-once' ? '; the file has no send times and the rate was inf: every request starts at 0' : ''}`,
    });
  } else if (perRequest) {
    const lengths = {
      input: spread(ok.map((r) => r.inputTokens)),
      output: spread(ok.map((r) => r.outputTokens)),
    };
    point.data = distribution({ ...run, ...lengths }, ok);
    point.num_requests = completed;
    provenance.push({
      field: `qps_sweeps (${run.label}).data`,
      file: run.file,
      note: `no send times in the file: replayed at the requested rate (the client's Poisson draws are not reproduced), lengths drawn with the mean, stdev, min and max of the ${ok.length} requests'`,
    });
  } else {
    const data = distribution(run, ok);
    if (data === null)
      throw new InputError(`${run.file}: no token counts to replay from (needs total input/output tokens)`);
    point.data = data;
    point.num_requests = completed;
    if (run.rate === 'inf' || run.rate === null) {
      const limited = run.maxConcurrency != null;
      point.qps = run.rate === 'inf' || limited ? BURST_RATE : (run.achievedRate ?? BURST_RATE);
      provenance.push({
        field: `qps_sweeps (${run.label}).qps`,
        file: run.file,
        note: limited
          ? `no request rate: every request sent as soon as the client's limit allows`
          : run.rate === 'inf'
            ? `request rate inf: replayed as ${BURST_RATE} req/s (all at once)`
            : 'no request rate: replayed at the achieved request throughput',
      });
    }
  }
  Object.assign(point, measured);
  point.requested_rate = run.rate === 'inf' ? 'inf' : run.rate;
  if (run.maxConcurrency) {
    point.max_concurrency = run.maxConcurrency.value;
    provenance.push({
      field: `qps_sweeps (${run.label}).max_concurrency`,
      file: run.file,
      key: run.maxConcurrency.key,
      note: `at most ${run.maxConcurrency.value} requests in flight: replayed as a closed loop${typeof run.rate === 'number' ? ` paced at ${run.rate} req/s` : ''}`,
    });
  }
  point.achieved_rate = run.achievedRate;
  point.num_sent = Math.max(run.sent, run.records?.length ?? 0);
  point.num_requests = completed;
  point.num_failures = run.failed;
  if (ok && ok.length > 0) point.measured_token_stats = measuredTokenStats(ok);
  if (perRequest && Object.keys(run.summary).length > 0) point.client_summary = run.summary;
  Object.assign(point, run.extra ?? {});
  provenance.push({
    field: `qps_sweeps (${run.label}) metrics`,
    file: run.file,
    note: perRequest
      ? 'computed from the per-request data (ground-truth definitions)'
      : "the client's summary",
  });
  return { point, trace, skipped: null };
}

/** Mean, population stdev, min and max of the requests' lengths. */
function spread(xs: number[]): TokenSummary {
  const m = mean(xs);
  return {
    mean: m,
    stdev: Math.sqrt(mean(xs.map((x) => (x - m) ** 2))),
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}

/** BLIS distribution parameters from token counts (summary, or the requests when kept). */
function distribution(run: RunInput, ok: RequestRecord[] | null) {
  const from = (s: TokenSummary | null, values: number[] | undefined) => {
    if (s) {
      const mean = Math.max(1, Math.round(s.mean));
      return {
        mean,
        stdev: s.stdev ?? 0,
        min: Math.max(1, Math.floor(s.min ?? mean)),
        max: Math.ceil(s.max ?? mean),
      };
    }
    if (!values || values.length === 0) return null;
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    return {
      mean: Math.max(1, Math.round(m)),
      stdev: 0,
      min: Math.max(1, Math.min(...values)),
      max: Math.max(...values),
    };
  };
  const i = from(
    run.input,
    ok?.map((r) => r.inputTokens),
  );
  const o = from(
    run.output,
    ok?.map((r) => r.outputTokens),
  );
  if (!i || !o) return null;
  // BLIS v0.6.1 accepts a stdev only within [min, max] (samples are clamped to that range).
  // stdev 0 is a constant length.
  const stdev = (t: { stdev: number; min: number; max: number; mean: number }) =>
    t.stdev === 0 ? 0 : Math.min(Math.max(t.stdev, Math.min(t.min, t.mean)), Math.max(t.max, t.mean));
  return {
    prefix_tokens: 0,
    prompt_tokens: i.mean,
    prompt_tokens_stdev: stdev(i),
    prompt_tokens_min: Math.min(i.min, i.mean),
    prompt_tokens_max: Math.max(i.max, i.mean),
    output_tokens: o.mean,
    output_tokens_stdev: stdev(o),
    output_tokens_min: Math.min(o.min, o.mean),
    output_tokens_max: Math.max(o.max, o.mean),
  };
}

/**
 * The experiment's flags from its points: the share of sent requests that failed (above 0.05
 * the evaluator leaves the run out of its aggregates, as the survivors' latencies are
 * censored) and whether any failed (the client saw an overloaded server).
 */
export function failureFlags(points: readonly Record<string, unknown>[]) {
  const sum = (k: string) =>
    points.reduce((a, p) => a + (typeof p[k] === 'number' ? (p[k] as number) : 0), 0);
  const sent = sum('num_sent');
  const failed = sum('num_failures');
  return { overloaded: failed > 0, failure_fraction: sent > 0 ? failed / sent : 0 };
}
