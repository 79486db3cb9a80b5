import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tuneProgress } from '../../src/commands/tune-progress.ts';
import { StatusLine } from '../../src/eval/progress.ts';
import { runTune } from '../../src/tune/session.ts';
import type { SearchProgress } from '../../src/tune/tuner.ts';
import { tuneSettings } from '../support/tune-settings.ts';

/** A stderr stand-in that records what is written, and a clock the test moves. */
function sink(isTTY: boolean) {
  const writes: string[] = [];
  const out = { isTTY, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
  const clock = { t: 0 };
  return { writes, out, clock, now: () => clock.t };
}

/** One fold of many small batches (Nelder–Mead's), as the session's hooks report it. */
function foldOfBatches(hooks: ReturnType<typeof tuneProgress>, clock: { t: number }, batches: number) {
  hooks.onSearch({ label: 'fold 1 of 6 (qwen)', index: 1, count: 7, budget: batches });
  for (let b = 0; b < batches; b++) {
    hooks.onBatch(15, 1);
    for (let j = 0; j < 15; j++) {
      clock.t += 20;
      hooks.onJobDone();
    }
    hooks.onCandidates(b + 1);
  }
}

describe('the tune progress line', () => {
  it('is one line for the run in a log: a line at most every 5 s, the share never going back', () => {
    const { writes, out, clock, now } = sink(false);
    const hooks = tuneProgress(new StatusLine(out, true, now), now);
    foldOfBatches(hooks, clock, 600);
    // 600 batches of 15 jobs, 0.3 s each: 180 s of work, so 37 lines, not one per batch.
    expect(writes.length).toBeLessThanOrEqual(180 / 5 + 1);
    expect(writes.every((w) => w.startsWith('fold 1 of 6 (qwen): '))).toBe(true);
    const shares = writes.map((w) => Number(/, (\d+) % of the run/.exec(w)![1]));
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1]!);
    // The last line, near the end of the first of 7 searches: 14 %, and 6 times as long to go.
    expect(writes.at(-1)).toMatch(/: 599\/600 candidates, 14 % of the run, 3m00s elapsed, ETA 18m00s\n$/);
    // At the end, the line as it stands, once.
    hooks.end();
    expect(writes.at(-1)).toMatch(/: 600\/600 candidates, 14 % of the run, 3m00s elapsed/);
    hooks.end();
    expect(writes.at(-2)).toMatch(/599\/600/);
  });

  it('redraws in place on a terminal, at most every 100 ms, and ends its line', () => {
    const { writes, out, clock, now } = sink(true);
    const hooks = tuneProgress(new StatusLine(out, true, now), now);
    foldOfBatches(hooks, clock, 100);
    hooks.end();
    expect(writes.slice(0, -1).every((w) => w.startsWith('\r\x1b[K[') && !w.endsWith('\n'))).toBe(true);
    expect(writes.length).toBeLessThanOrEqual((100 * 15 * 20) / 100 + 2);
    const last = writes.at(-1)!;
    expect(last.startsWith('\r\x1b[K[###-')).toBe(true);
    expect(last).toMatch(/\] fold 1 of 6 \(qwen\): 100\/100 candidates.*\n$/);
  });

  it('draws nothing when quiet', () => {
    const { writes, out, clock, now } = sink(true);
    const hooks = tuneProgress(new StatusLine(out, false, now), now);
    foldOfBatches(hooks, clock, 10);
    hooks.end();
    expect(writes).toEqual([]);
  });

  it('hears from a tuning run every search in order with its candidates and budget', async () => {
    const searches: SearchProgress[] = [];
    const counts: number[][] = [];
    await runTune(tuneSettings(mkdtempSync(join(tmpdir(), 'tune-progress-'))), {
      signal: new AbortController().signal,
      onSearch: (s) => {
        searches.push(s);
        counts.push([]);
      },
      onCandidates: (n) => counts.at(-1)!.push(n),
    });
    expect(searches.map((s) => [s.label, s.index, s.count])).toEqual([
      ['fold 1 of 2 (Qwen/Qwen2.5-7B-Instruct)', 1, 3],
      ['fold 2 of 2 (meta-llama/Llama-3.1-8B-Instruct)', 2, 3],
      ['final search (all experiments)', 3, 3],
    ]);
    for (const [i, c] of counts.entries()) {
      expect(c.length).toBeGreaterThan(0);
      expect(c.at(-1)).toBeLessThanOrEqual(searches[i]!.budget);
      for (let j = 1; j < c.length; j++) expect(c[j]).toBeGreaterThan(c[j - 1]!);
    }
  });
});
