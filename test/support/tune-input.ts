import { MEAN_OBJECTIVE } from '../../src/tune/objective.ts';
import type { TuneInput } from '../../src/tune/tuner.ts';

/** A tuner input on e2e_mean alone, full replays, no racing, no polish; the rest is given. */
export function tuneInput(
  given: Pick<
    TuneInput,
    'experiments' | 'folds' | 'cv' | 'params' | 'start' | 'maxEvals' | 'method' | 'score'
  > &
    Partial<TuneInput>,
): TuneInput {
  return {
    metrics: ['e2e_mean'],
    objective: MEAN_OBJECTIVE,
    race: null,
    fidelity: 1,
    polish: 0,
    force: false,
    ...given,
  };
}
