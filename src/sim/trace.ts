import { effectiveLoad, type InstanceSnapshot } from './router-state.ts';
import type { RoutingDecision } from './routing.ts';

export interface AdmissionRecord {
  request_id: string;
  clock: number;
  admitted: boolean;
  reason: string;
}

export interface Candidate {
  instance_id: string;
  score: number;
}

export interface RoutingRecord {
  request_id: string;
  clock: number;
  chosen_instance: string;
  reason: string;
  scores: Record<string, number> | null;
  candidates?: Candidate[];
  regret?: number;
}

export interface DecisionTrace {
  admissions: AdmissionRecord[];
  routings: RoutingRecord[];
}

/** Decision trace of `--trace-level decisions`, with top-k counterfactuals (§11.6). */
export class TraceRecorder {
  private readonly admissions: AdmissionRecord[] = [];
  private readonly routings: RoutingRecord[] = [];

  constructor(private readonly k: number) {}

  admission(id: string, clock: number, admitted: boolean, reason: string): void {
    this.admissions.push({ request_id: id, clock, admitted, reason });
  }

  routing(id: string, clock: number, d: RoutingDecision, snap: readonly InstanceSnapshot[]): void {
    const rec: RoutingRecord = {
      request_id: id,
      clock,
      chosen_instance: snap[d.target]!.id,
      reason: d.reason,
      scores: d.scores ? Object.fromEntries(snap.map((s, i) => [s.id, d.scores![i]!])) : null,
    };
    if (this.k > 0) {
      // Policies without scores rank by negative effective load.
      const score = (i: number) => (d.scores ? d.scores[i]! : -effectiveLoad(snap[i]!));
      const ranked = snap
        .map((s, i) => ({ instance_id: s.id, score: score(i) }))
        .sort((a, b) => b.score - a.score || (a.instance_id < b.instance_id ? -1 : 1));
      rec.candidates = ranked.slice(0, this.k);
      rec.regret = Math.max(0, ranked[0]!.score - score(d.target));
    }
    this.routings.push(rec);
  }

  result(): DecisionTrace {
    return { admissions: this.admissions, routings: this.routings };
  }
}

export interface TraceSummary {
  total_decisions: number;
  admitted: number;
  rejected: number;
  routed_per_instance: Record<string, number>;
  unique_targets: number;
  mean_regret?: number;
  max_regret?: number;
}

export function summarizeTrace(t: DecisionTrace): TraceSummary {
  const per: Record<string, number> = {};
  for (const r of t.routings) per[r.chosen_instance] = (per[r.chosen_instance] ?? 0) + 1;
  const admitted = t.admissions.filter((a) => a.admitted).length;
  const out: TraceSummary = {
    total_decisions: t.admissions.length + t.routings.length,
    admitted,
    rejected: t.admissions.length - admitted,
    routed_per_instance: per,
    unique_targets: Object.keys(per).length,
  };
  const regrets = t.routings.flatMap((r) => (r.regret === undefined ? [] : [r.regret]));
  if (regrets.length > 0) {
    out.mean_regret = regrets.reduce((a, b) => a + b, 0) / regrets.length;
    out.max_regret = Math.max(...regrets);
  }
  return out;
}
