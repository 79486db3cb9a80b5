import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import type { Experiment } from '../groundtruth/experiment.ts';

export type CvSpec =
  | { kind: 'none' }
  | { kind: 'lomo' }
  | { kind: 'logo' }
  | { kind: 'lofo' }
  | { kind: 'kfold'; k: number };

export interface Fold {
  name: string;
  train: string[];
  test: string[];
}

export function parseCv(text: string): CvSpec {
  if (text === 'none') return { kind: 'none' };
  if (text === 'leave-one-model-out') return { kind: 'lomo' };
  if (text === 'leave-one-gpu-out') return { kind: 'logo' };
  if (text === 'leave-one-family-out') return { kind: 'lofo' };
  const m = /^k-fold:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 2) return { kind: 'kfold', k: Number(m[1]) };
  throw new InputError(
    `--cv '${text}': expected leave-one-model-out, leave-one-gpu-out, leave-one-family-out, k-fold:N (N >= 2) or none`,
  );
}

/**
 * Cross-validation folds over experiment names. Leave-one-model-out (-gpu-, -family-) holds
 * out every experiment of one model (GPU, workload family); k-fold deals experiments, ordered by a hash of their names (so
 * the split does not follow file order), round-robin into k folds.
 */
export function makeFolds(
  experiments: readonly Experiment[],
  cv: CvSpec,
  gpuOf: (x: Experiment) => string = (x) => x.gpu,
): Fold[] {
  // What a leave-one-out split groups by; the GPU as the hardware config resolves it.
  const GROUP_BY: Record<'lomo' | 'logo' | 'lofo', (x: Experiment) => string> = {
    lomo: (x) => x.model,
    logo: gpuOf,
    lofo: (x) => x.family,
  };
  const names = experiments.map((x) => x.name);
  if (cv.kind === 'none') return [];
  let groups: { name: string; members: string[] }[];
  if (cv.kind !== 'kfold') {
    const by = GROUP_BY[cv.kind];
    const keys = [...new Set(experiments.map(by))];
    groups = keys.map((m) => ({
      name: m,
      members: experiments.filter((x) => by(x) === m).map((x) => x.name),
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
