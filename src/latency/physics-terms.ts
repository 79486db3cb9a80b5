import type { ModelArch } from './arch.ts';
import { allReduceHopsPerStepMicros, allReduceSecondsPerToken, type LinkTerm } from './comm.ts';
import { type LmHeadCost, lmHeadCost } from './lm-head.ts';

/**
 * Terms BLIS leaves out, ours, each off (0 or absent) by default and shared by roofline v1
 * (both variants) and v2: TP's all-reduces at the interconnect's bandwidth and with a latency
 * per ring step (comm.ts), and the LM head (lm-head.ts).
 */
export interface PhysicsTerms extends LinkTerm {
  /** Multiplies the LM head's FLOPs and weight bytes; 0 or absent = off (BLIS). */
  readonly lmHeadScale?: number;
}

export interface PhysicsCosts {
  /** Seconds per token the step computes (all-reduce data). */
  readonly commPerTokenS: number;
  /** µs every step adds whatever its size (all-reduce ring steps). */
  readonly fixedUs: number;
  readonly lmHead: LmHeadCost;
}

/** What the terms cost a model of `arch` at `tp` (all 0 when every term is off). */
export function physicsTerms(arch: ModelArch, tp: number, terms: PhysicsTerms, where: string): PhysicsCosts {
  return {
    commPerTokenS: allReduceSecondsPerToken(arch, tp, terms, where),
    fixedUs: allReduceHopsPerStepMicros(arch, tp, terms),
    lmHead: lmHeadCost(arch, terms.lmHeadScale ?? 0),
  };
}

/** µs the all-reduce terms add to a step of `tokens` tokens. */
export function stepTermsMicros(c: PhysicsCosts, tokens: number): number {
  return c.fixedUs + c.commPerTokenS * 1e6 * tokens;
}
