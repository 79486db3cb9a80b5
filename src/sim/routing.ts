import { InputError } from '../errors.ts';
import { sequenceKey } from './block-keys.ts';
import type { SimRequest } from './request.ts';
import { effectiveLoad, type InstanceSnapshot } from './router-state.ts';

export const ROUTING_POLICIES = [
  'round-robin',
  'least-loaded',
  'weighted',
  'prefix-affinity',
  'always-busiest',
] as const;
export type RoutingPolicyName = (typeof ROUTING_POLICIES)[number];
export const SCORER_NAMES = ['prefix-affinity', 'queue-depth', 'kv-utilization', 'load-balance'] as const;
export type ScorerName = (typeof SCORER_NAMES)[number];
export interface ScorerWeight {
  name: ScorerName;
  weight: number;
}
export const DEFAULT_SCORERS: readonly ScorerWeight[] = [
  { name: 'prefix-affinity', weight: 3 },
  { name: 'queue-depth', weight: 2 },
  { name: 'kv-utilization', weight: 2 },
];
const PREFIX_INDEX_CAPACITY = 10_000;

export interface RoutingDecision {
  target: number;
  reason: string;
  /** Per-instance total scores, for policies that score. */
  scores: number[] | null;
}

export interface Router {
  route(req: SimRequest, state: readonly InstanceSnapshot[]): RoutingDecision;
}

/** Parses `--routing-scorers "name:w,…"` (a duplicate name or a weight ≤ 0 is an error). */
export function parseScorers(spec: string, flag = '--routing-scorers'): ScorerWeight[] {
  const out: ScorerWeight[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, w] = part.split(':');
    const weight = Number(w);
    if (!SCORER_NAMES.includes(name as ScorerName)) {
      throw new InputError(`${flag}: unknown scorer "${name}" (known: ${SCORER_NAMES.join(', ')})`);
    }
    if (!Number.isFinite(weight) || weight <= 0)
      throw new InputError(`${flag}: weight of "${name}" must be > 0`);
    if (out.some((s) => s.name === name)) throw new InputError(`${flag}: scorer "${name}" given twice`);
    out.push({ name: name as ScorerName, weight });
  }
  return out;
}

function leastLoaded(state: readonly InstanceSnapshot[]): number {
  let best = 0;
  for (let i = 1; i < state.length; i++) if (effectiveLoad(state[i]!) < effectiveLoad(state[best]!)) best = i;
  return best;
}

/** Router-side per-instance LRU of block keys (the prefix-affinity scorer's index). */
class PrefixIndex {
  private readonly perInstance: Map<number, true>[];
  constructor(n: number) {
    this.perInstance = Array.from({ length: n }, () => new Map());
  }
  matched(i: number, keys: Float64Array): number {
    const idx = this.perInstance[i]!;
    let m = 0;
    while (m < keys.length && idx.has(keys[m]!)) m++;
    return m;
  }
  record(i: number, keys: Float64Array): void {
    const idx = this.perInstance[i]!;
    for (const k of keys) {
      // Map insertion order is recency order: touching re-inserts, the oldest is first.
      idx.delete(k);
      idx.set(k, true);
      if (idx.size > PREFIX_INDEX_CAPACITY) idx.delete(idx.keys().next().value!);
    }
  }
}

export function createRouter(
  policy: RoutingPolicyName,
  numInstances: number,
  blockSize: number,
  scorers: readonly ScorerWeight[],
): Router {
  switch (policy) {
    case 'round-robin': {
      let counter = 0;
      return { route: () => ({ target: counter++ % numInstances, reason: 'round-robin', scores: null }) };
    }
    case 'least-loaded':
      return { route: (_r, s) => ({ target: leastLoaded(s), reason: 'least-loaded', scores: null }) };
    case 'always-busiest':
      return {
        route: (_r, s) => {
          let best = 0;
          for (let i = 1; i < s.length; i++) if (effectiveLoad(s[i]!) > effectiveLoad(s[best]!)) best = i;
          return { target: best, reason: 'always-busiest', scores: null };
        },
      };
    case 'prefix-affinity': {
      const owner = new Map<number, number>();
      return {
        route: (r, s) => {
          const keys = r.fullInputKeys(blockSize);
          const key = keys.length > 0 ? keys[keys.length - 1]! : sequenceKey(r.input!, r.inputLen, blockSize);
          const hit = owner.get(key);
          if (hit !== undefined) return { target: hit, reason: 'prefix-affinity hit', scores: null };
          const target = leastLoaded(s);
          owner.set(key, target);
          return { target, reason: 'prefix-affinity miss, least-loaded', scores: null };
        },
      };
    }
    case 'weighted':
      return weightedRouter(numInstances, blockSize, scorers.length > 0 ? scorers : DEFAULT_SCORERS);
  }
}

function weightedRouter(n: number, blockSize: number, scorers: readonly ScorerWeight[]): Router {
  const total = scorers.reduce((a, s) => a + s.weight, 0);
  const weights = scorers.map((s) => s.weight / total);
  const index = new PrefixIndex(n);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const recordsPrefixes = scorers.some((s) => s.name === 'prefix-affinity');
  return {
    route: (r, state) => {
      const keys = r.fullInputKeys(blockSize);
      const scores = new Array<number>(state.length).fill(0);
      scorers.forEach((sc, k) => {
        const per = scoreAll(sc.name, state, keys, index);
        for (let i = 0; i < state.length; i++) scores[i]! += clamp(per[i]!) * weights[k]!;
      });
      let target = 0;
      let best = -1;
      for (let i = 0; i < scores.length; i++) {
        if (scores[i]! > best) {
          best = scores[i]!;
          target = i;
        }
      }
      if (recordsPrefixes) index.record(target, keys);
      return { target, reason: 'weighted', scores };
    },
  };
}

function scoreAll(
  name: ScorerName,
  state: readonly InstanceSnapshot[],
  keys: Float64Array,
  index: PrefixIndex,
): number[] {
  switch (name) {
    case 'queue-depth': {
      let min = Number.MAX_SAFE_INTEGER;
      let max = 0;
      for (const s of state) {
        const l = effectiveLoad(s);
        if (l < min) min = l;
        if (l > max) max = l;
      }
      return state.map((s) => (max === min ? 1 : (max - effectiveLoad(s)) / (max - min)));
    }
    case 'kv-utilization':
      return state.map((s) => 1 - s.kvUtilization);
    case 'load-balance':
      return state.map((s) => 1 / (1 + effectiveLoad(s)));
    case 'prefix-affinity':
      return state.map((s) => (keys.length === 0 ? 0 : index.matched(s.index, keys) / keys.length));
  }
}
