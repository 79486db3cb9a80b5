import { describe, expect, it } from 'vitest';
import { requestLevelErrors } from '../../src/eval/request-level.ts';
import type { WorkloadPlan } from '../../src/groundtruth/experiment.ts';
import type { RequestRecord } from '../../src/sim/request-log.ts';

const sim = (i: number, ttftUs: number, e2eUs: number, completed = true, stage = 0) =>
  ({ id: `request_${i}`, ttft: ttftUs, e2e: e2eUs, completed, stage }) as unknown as RequestRecord;

const trace: WorkloadPlan = {
  kind: 'trace',
  rows: [
    { arrivalUs: 0, inputTokens: 5, outputTokens: 3, ttftMs: 10, e2eMs: 100 },
    { arrivalUs: 5, inputTokens: 5, outputTokens: 3, ttftMs: 20, e2eMs: 200 },
    { arrivalUs: 9, inputTokens: 5, outputTokens: 3, e2eMs: 50 },
  ],
};
const point = { id: 'qps-1', stage: null, measured: { e2e_mean: 1 } };

describe('request-level errors of a measured trace', () => {
  it('compares each simulated request with the same measured request', () => {
    // request_1: TTFT 30 vs 20 (50 %), E2E 100 vs 200 (50 %); request_0: exact; request_2: no TTFT, E2E 25 vs 50.
    const r = requestLevelErrors(
      [sim(1, 30_000, 100_000), sim(0, 10_000, 100_000), sim(2, 1, 25_000)],
      trace,
      point,
    );
    expect(r).toEqual({ requests: 3, ttftMape: 25, e2eMape: (0 + 50 + 50) / 3 });
  });

  it('leaves out uncompleted requests and those of other stages', () => {
    const r = requestLevelErrors(
      [sim(0, 20_000, 100_000), sim(1, 1, 1, false), sim(2, 1, 50_000, true, 1)],
      trace,
      {
        ...point,
        stage: 0,
      },
    );
    expect(r).toEqual({ requests: 1, ttftMape: 100, e2eMape: 0 });
  });

  it('is absent for replays without measured requests', () => {
    const plain: WorkloadPlan = { kind: 'trace', rows: [{ arrivalUs: 0, inputTokens: 1, outputTokens: 2 }] };
    expect(requestLevelErrors([sim(0, 1, 1)], plain, point)).toBeNull();
  });
});
