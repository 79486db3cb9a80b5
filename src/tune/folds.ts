import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import type { Experiment } from '../groundtruth/experiment.ts';

export type CvSpec = { kind: 'none' } | { kind: 'lomo' } | { kind: 'kfold'; k: number };

export interface Fold {
  name: string;
  train: string[];
  test: string[];
}

export function parseCv(text: string): CvSpec {
  if (text === 'none') return { kind: 'none' };
  if (text === 'leave-one-model-out') return { kind: 'lomo' };
  const m = /^k-fold:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 2) return { kind: 'kfold', k: Number(m[1]) };
  throw new InputError(`--cv '${text}': expected leave-one-model-out, k-fold:N (N >= 2) or none`);
}

/**
 * Cross-validation folds over experiment names. Leave-one-model-out holds out every
 * experiment of one model; k-fold deals experiments, ordered by a hash of their names (so
 * the split does not follow file order), round-robin into k folds.
 */
export function makeFolds(experiments: readonly Experiment[], cv: CvSpec): Fold[] {
  const names = experiments.map((x) => x.name);
  if (cv.kind === 'none') return [];
  let groups: { name: string; members: string[] }[];
  if (cv.kind === 'lomo') {
    const models = [...new Set(experiments.map((x) => x.model))];
    groups = models.map((m) => ({
      name: m,
      members: experiments.filter((x) => x.model === m).map((x) => x.name),
    }));
  } else {
    const order = [...names].sort((a, b) => (hash(a) < hash(b) ? -1 : hash(a) > hash(b) ? 1 : 0));
    const k = Math.min(cv.k, order.length);
    groups = Array.from({ length: k }, (_, i) => ({
      name: `fold-${i + 1}`,
      members: order.filter((_, j) => j % k === i),
    }));
  }
  if (groups.length < 2) {
    throw new InputError(
      'cross-validation needs at least two groups of experiments; use --cv k-fold:N or --cv none',
    );
  }
  return groups.map((g) => ({
    name: g.name,
    test: g.members,
    train: names.filter((n) => !g.members.includes(n)),
  }));
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
