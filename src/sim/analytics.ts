import { InputError } from '../errors.ts';
import type { ClusterResult } from './cluster.ts';
import { type RequestLog, type RequestRecord, sortedMetric } from './request-log.ts';

/** Distribution in ticks (µs) with BLIS's interpolation (reference §11.6). */
export interface Distribution {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  n: number;
}

export function distribution(sorted: Float64Array): Distribution {
  const n = sorted.length;
  if (n === 0) return { mean: 0, p50: 0, p95: 0, p99: 0, min: 0, max: 0, n };
  const pct = (p: number) => {
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return lo === hi ? sorted[lo]! : sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
  };
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / n, p50: pct(50), p95: pct(95), p99: pct(99), min: sorted[0]!, max: sorted[n - 1]!, n };
}

function logs(res: ClusterResult): RequestLog[] {
  return res.instances.map((i) => i.log);
}

/** Pairs i < j (by arrival, per instance and SLO class) with e2e_i > 2·e2e_j; 0 for constant priority. */
export function priorityInversions(res: ClusterResult, constantPriority: boolean): number {
  if (constantPriority) return 0;
  let count = 0;
  for (const inst of res.instances) {
    const byClass = new Map<string, RequestRecord[]>();
    for (const r of inst.log.records()) {
      if (!r.completed) continue;
      const list = byClass.get(r.sloClass) ?? [];
      list.push(r);
      byClass.set(r.sloClass, list);
    }
    for (const list of byClass.values()) {
      list.sort((a, b) => a.arrival - b.arrival);
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) if (list[i]!.e2e > 2 * list[j]!.e2e) count++;
      }
    }
  }
  return count;
}

/** Instances whose mean WaitQ depth over steps exceeds twice the mean of those means (≥ 2 instances). */
export function holBlockingEvents(res: ClusterResult): number {
  if (res.instances.length < 2) return 0;
  const avgs = res.instances.map((i) => (i.stepCount > 0 ? i.waitDepthSum / i.stepCount : 0));
  const mean = avgs.reduce((a, b) => a + b, 0) / avgs.length;
  return avgs.filter((a) => a > 2 * mean).length;
}

export interface SloMetrics {
  n: number;
  ttft_mean: number;
  ttft_p99: number;
  e2e_mean: number;
  e2e_p99: number;
}

/** Per SLO class TTFT/E2E in ticks; empty unless more than one class is present. */
export function perSloMetrics(res: ClusterResult): Record<string, SloMetrics> {
  const all = logs(res);
  const classes = new Set<string>();
  for (const log of all) for (let i = 0; i < log.length; i++) classes.add(log.sloClass(i));
  if (classes.size < 2) return {};
  const out: Record<string, SloMetrics> = {};
  for (const cls of [...classes].sort()) {
    const t = distribution(sortedMetric(all, 'ttft', cls));
    const e = distribution(sortedMetric(all, 'e2e', cls));
    out[cls || 'default'] = { n: e.n, ttft_mean: t.mean, ttft_p99: t.p99, e2e_mean: e.mean, e2e_p99: e.p99 };
  }
  return out;
}

const FITNESS_KEYS = [
  'throughput',
  'tokens_per_sec',
  'p99_ttft',
  'p50_ttft',
  'mean_ttft',
  'p99_e2e',
  'p50_e2e',
  'mean_e2e',
] as const;
type FitnessKey = (typeof FITNESS_KEYS)[number];

export function parseFitnessWeights(spec: string): Map<FitnessKey, number> {
  const out = new Map<FitnessKey, number>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [k, w] = part.split(':');
    const weight = Number(w);
    if (!FITNESS_KEYS.includes(k as FitnessKey)) {
      throw new InputError(`--fitness-weights: unknown metric "${k}" (known: ${FITNESS_KEYS.join(', ')})`);
    }
    if (!Number.isFinite(weight) || weight < 0)
      throw new InputError(`--fitness-weights: weight of "${k}" must be ≥ 0`);
    out.set(k as FitnessKey, weight);
  }
  return out;
}

export interface Fitness {
  score: number;
  components: Record<string, number>;
}

/** Σ w·norm(metric): throughput v/(v+100), tokens/s v/(v+10000), latency 1/(1+v/1000) in ticks. */
export function fitness(res: ClusterResult, weights: Map<FitnessKey, number>, durationS: number): Fitness {
  const ttft = distribution(sortedMetric(logs(res), 'ttft'));
  const e2e = distribution(sortedMetric(logs(res), 'e2e'));
  const completed = res.instances.reduce((a, i) => a + i.completedRequests, 0);
  const outTok = res.instances.reduce((a, i) => a + i.totalOutputTokens, 0);
  const lat = (v: number) => 1 / (1 + v / 1000);
  const norm: Record<FitnessKey, number> = {
    throughput: ((v) => v / (v + 100))(durationS > 0 ? completed / durationS : 0),
    tokens_per_sec: ((v) => v / (v + 10000))(durationS > 0 ? outTok / durationS : 0),
    p99_ttft: lat(ttft.p99),
    p50_ttft: lat(ttft.p50),
    mean_ttft: lat(ttft.mean),
    p99_e2e: lat(e2e.p99),
    p50_e2e: lat(e2e.p50),
    mean_e2e: lat(e2e.mean),
  };
  let score = 0;
  const components: Record<string, number> = {};
  for (const k of [...weights.keys()].sort()) {
    components[k] = norm[k];
    score += weights.get(k)! * norm[k];
  }
  return { score, components };
}
