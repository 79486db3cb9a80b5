import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/eval/progress.ts';
import { NO_PROGRESS, type TuneProgress, tuneFraction, tuneProgressLine } from '../../src/tune/progress.ts';

const search = (index: number, count = 7, budget = 60) => ({
  label: index < count ? `fold ${index} of ${count - 1} (qwen)` : 'final search (all experiments)',
  index,
  count,
  budget,
});

describe('tuning progress (pure)', () => {
  it('counts the share of the whole run from the searches done and the running one', () => {
    const at = (index: number, candidates: number): TuneProgress => ({
      search: search(index, 4, 50),
      candidates,
      batch: NO_PROGRESS.batch,
    });
    expect(tuneFraction(at(1, 0))).toBe(0);
    expect(tuneFraction(at(1, 25))).toBeCloseTo(0.125);
    expect(tuneFraction(at(3, 0))).toBeCloseTo(0.5);
    expect(tuneFraction(at(4, 50))).toBe(1);
    // More candidates than the budget (a search's checks) never pass the search's share.
    expect(tuneFraction(at(2, 80))).toBeCloseTo(0.5);
    // A batch in flight counts by its finished jobs: half of 10 candidates' jobs is 5 candidates.
    expect(tuneFraction({ ...at(1, 20), batch: { jobs: 150, done: 75, candidates: 10 } })).toBeCloseTo(0.125);
    // Without a search (a grid shard): the batch's jobs.
    expect(tuneFraction({ ...NO_PROGRESS, batch: { jobs: 40, done: 10, candidates: 40 } })).toBe(0.25);
    expect(tuneFraction(NO_PROGRESS)).toBe(0);
  });

  it('names the fold, its candidates against the budget, and one ETA for the run', () => {
    const p: TuneProgress = { search: search(2), candidates: 37, batch: NO_PROGRESS.batch };
    // 1.6 of 7 searches in 96 s: the rest takes 96 * (1 - f) / f.
    const f = tuneFraction(p);
    expect(f).toBeCloseTo((1 + 37 / 60) / 7);
    expect(tuneProgressLine(p, f, 96)).toBe(
      'fold 2 of 6 (qwen): 37/60 candidates, 23 % of the run, 1m36s elapsed, ETA 5m20s',
    );
    expect(tuneProgressLine(p, f, 96, true)).toBe(
      '[#####---------------] fold 2 of 6 (qwen): 37/60 candidates, 23 % of the run, 1m36s elapsed, ETA 5m20s',
    );
    expect(tuneProgressLine({ ...p, search: search(7), candidates: 75 }, 1, 4000)).toBe(
      'final search (all experiments): 60/60 candidates, 100 % of the run, 1h06m elapsed, ETA 0s',
    );
    expect(tuneProgressLine(NO_PROGRESS, 0, 3)).toBe('0/0 simulations, 0 % of the run, 3s elapsed, ETA …');
  });

  it('formats durations', () => {
    expect([0, 42.4, 59.6, 65, 3599, 3600, 7380].map(formatDuration)).toEqual([
      '0s',
      '42s',
      '1m00s',
      '1m05s',
      '59m59s',
      '1h00m',
      '2h03m',
    ]);
  });
});
