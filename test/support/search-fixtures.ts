import type { Candidate, ParamSpec } from '../../src/tune/space.ts';

/** A v1 search field over [lo, hi] in steps of `step`. */
export const P = (name: string, lo: number, hi: number, step: number): ParamSpec => ({
  name,
  section: 'v1',
  lo,
  hi,
  step,
});

/** A search scorer from a plain function of the candidate. */
export const scorer = (f: (c: Candidate) => number) => async (cs: readonly Candidate[]) => cs.map(f);
