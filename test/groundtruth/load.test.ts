import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { loadGroundTruth, parseGroundTruth } from '../../src/groundtruth/load.ts';
import { workloadFormOption } from '../../src/groundtruth/normalize.ts';
import { stageCounts } from '../../src/workload/stage-arrivals.ts';

const FIX = 'test/fixtures/gt';

function tmpFile(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'gt-')), name);
  writeFileSync(p, text);
  return p;
}

describe('ground-truth shapes', () => {
  it('reads qps sweeps as one distribution replay per rate, keeping unknown fields harmless', () => {
    const [x] = loadGroundTruth(join(FIX, 'qps-sweep.json')).experiments;
    expect(x!.gpu).toBe('H100'); // hardware defaults to H100
    expect(x!.replays.map((r) => r.id)).toEqual(['qps-5', 'qps-10']);
    const w = x!.replays[1]!.workload;
    expect(w.kind === 'distribution' && w.params).toMatchObject({
      rate: 10,
      numRequests: 40,
      prefixTokens: 284,
    });
    expect(x!.replays[0]!.points[0]!.measured).toEqual({
      ttft_mean: 20,
      ttft_p90: 25,
      itl_mean: 8,
      e2e_mean: 1800,
      e2e_p90: 2600,
    });
  });

  it('reads staged experiments: summary and per-stage points, executed form on request', () => {
    const [x, y] = loadGroundTruth(join(FIX, 'staged.json'), 'executed').experiments;
    expect(x!.workloadForm).toBe('resolved');
    expect(x!.engine.totalKvBlocks).toBeNull();
    const r = x!.replays[0]!;
    expect(r.points.map((p) => [p.id, p.stage])).toEqual([
      ['summary', null],
      ['stage-0', 0],
      ['stage-1', 1],
    ]);
    expect(r.workload.kind === 'executed' && stageCounts(r.workload.spec)).toEqual([16, 20]);
    // No resolved form: the profile as inference-perf's constant load (groups × users).
    expect(y!.workloadForm).toBe('profile-constant');
    const w = y!.replays[0]!.workload;
    expect(w.kind === 'executed' && w.spec.shared_prefix).toMatchObject({
      num_groups: 2,
      num_prompts_per_group: 2,
    });
    expect(y!.seed).toBe(7);
    expect(y!.engine.cpuKvBlocks).toBe(64);
  });

  it('replays the measured lengths where measured_token_stats exist (the default), executed on request', () => {
    const [x] = loadGroundTruth(join(FIX, 'measured.json')).experiments;
    expect(x!.workloadForm).toBe('measured');
    const w = x!.replays[0]!.workload;
    expect(w.kind).toBe('measured');
    expect(w.kind === 'measured' && w.lengths.output).toMatchObject({ mean: 58.4, p10: 55, max: 62 });
    expect(w.kind === 'measured' && stageCounts(w.spec)).toEqual([16, 20]);
    for (const form of ['executed', 'resolved'] as const) {
      const [e] = loadGroundTruth(join(FIX, 'measured.json'), workloadFormOption(form)).experiments;
      expect(e!.workloadForm).toBe('resolved');
      expect(e!.replays[0]!.workload.kind).toBe('executed');
    }
  });

  it("with ignore_eos, generates output_len and counts the stats' output as the client's re-count", () => {
    const raw = JSON.parse(readFileSync(join(FIX, 'measured.json'), 'utf8'));
    raw.experiments[0].workload_config.api = { streaming: true, ignore_eos: true };
    const [x] = loadGroundTruth(tmpFile('gt.json', JSON.stringify(raw))).experiments;
    expect(x!.workloadForm).toBe('measured');
    const r = x!.replays[0]!;
    const w = r.workload;
    // The stats' prompts stay; every request generates the profile's 60 tokens, counted at 58.4.
    expect(w.kind === 'measured' && w.lengths.prompt).toMatchObject({ mean: 409.5, p10: 402 });
    expect(w.kind === 'measured' && w.lengths.output).toEqual({
      mean: 60,
      min: 60,
      p10: 60,
      median: 60,
      p90: 60,
      max: 60,
    });
    expect(r.clientOutput).toBe(58.4);
  });

  it('without token stats, replays the executed form with the output length its own means imply', () => {
    const [x, y] = loadGroundTruth(join(FIX, 'staged.json')).experiments;
    // ITL = (E2E − TTFT) / (output − 1): (455 − 25.5) / 7.1 + 1 = 61.5 and (320 − 22) / 7.5 + 1 = 40.7.
    expect([x!.workloadForm, y!.workloadForm]).toEqual(['implied-output', 'implied-output']);
    const lens = [x, y].map((e) => {
      const w = e!.replays[0]!.workload;
      return w.kind === 'executed' ? w.spec.shared_prefix.output_len : null;
    });
    expect(lens).toEqual([61, 41]);
    const w = x!.replays[0]!.workload;
    expect(w.kind === 'executed' && stageCounts(w.spec)).toEqual([16, 20]);
  });

  it('implies a run without summary ITL from its stages, weighted by completed requests', () => {
    const raw = JSON.parse(readFileSync(join(FIX, 'staged.json'), 'utf8'));
    const x = raw.experiments[0];
    delete x.summary.itl_mean_ms;
    x.stages[0].num_requests = 10;
    x.stages[1].num_requests = 30;
    // Stages imply (450 − 25) / 7 + 1 = 61.71 and (460 − 26) / 7.2 + 1 = 61.28: 61.39 weighted.
    const w = loadGroundTruth(tmpFile('gt.json', JSON.stringify(raw))).experiments[0]!.replays[0]!.workload;
    expect(w.kind === 'executed' && w.spec.shared_prefix.output_len).toBe(61);
  });

  it('reads what each point measured about its requests: count, mean lengths, request rate', () => {
    const [x] = loadGroundTruth(join(FIX, 'measured.json')).experiments;
    const [summary, stage0] = x!.replays[0]!.points;
    expect(summary!.workload).toEqual({
      completed: 36,
      promptMean: 1081.1 / 2.64,
      outputMean: 154.2 / 2.64,
      requestsPerSec: 2.64,
    });
    expect(stage0!.workload).toMatchObject({ completed: 16, requestsPerSec: 2 });
    // Without rates or token stats a point's mean output is the one its means imply.
    const points = loadGroundTruth(join(FIX, 'staged.json')).experiments[0]!.replays[0]!.points;
    expect(points.map((p) => p.workload?.outputMean)).toEqual([
      (455 - 25.5) / 7.1 + 1,
      (450 - 25) / 7 + 1,
      (460 - 26) / 7.2 + 1,
    ]);
  });

  it('replays the profile through the BLIS expansion with --workload-form profile', () => {
    const xs = loadGroundTruth(join(FIX, 'staged.json'), 'profile').experiments;
    expect(xs.map((x) => x.workloadForm)).toEqual(['profile-blis-expansion', 'profile-blis-expansion']);
    expect(xs[0]!.replays[0]!.workload.kind).toBe('profile');
  });

  it('reads a trace point relative to the file, with arrivals made relative to the first', () => {
    const [x] = loadGroundTruth(join(FIX, 'trace-replay.json')).experiments;
    const w = x!.replays[0]!.workload;
    expect(x!.workloadForm).toBe('trace');
    if (w.kind !== 'trace') throw new Error('expected a trace');
    expect(w.rows.length).toBe(8);
    expect(w.rows[0]).toEqual({ arrivalUs: 0, inputTokens: 512, outputTokens: 64 });
    expect(w.rows[1]!.arrivalUs).toBe(250_000);
  });
});

describe('bad ground truth', () => {
  const experiment = (over: Record<string, unknown>) => ({
    experiment_name: 'e1',
    model: 'm',
    vllm_config: { tensor_parallelism: 1 },
    workload_config: {
      max_requests: 5,
      data: {
        prompt_tokens: 10,
        prompt_tokens_stdev: 5,
        prompt_tokens_min: 2,
        prompt_tokens_max: 20,
        output_tokens: 10,
        output_tokens_stdev: 5,
        output_tokens_min: 2,
        output_tokens_max: 20,
      },
    },
    qps_sweeps: [{ qps: 1, e2e_mean_ms: 10 }],
    ...over,
  });
  const fails = (json: unknown, ...parts: string[]) => {
    let err: unknown;
    try {
      parseGroundTruth(json, 'gt.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    for (const p of parts) expect((err as Error).message).toContain(p);
  };

  it('accepts the minimal experiment', () => {
    expect(parseGroundTruth({ experiments: [experiment({})] }, 'gt.json')).toHaveLength(1);
  });

  it('names the file, the experiment and the field', () => {
    fails(
      { experiments: [experiment({ vllm_config: { tensor_parallelism: 'two' } })] },
      'gt.json',
      '"e1"',
      'vllm_config.tensor_parallelism',
    );
    fails(
      { experiments: [experiment({ qps_sweeps: [{ qps: -1, e2e_mean_ms: 1 }] })] },
      '"e1"',
      'qps_sweeps[0].qps',
    );
    fails({ experiments: [experiment({ model: undefined })] }, '"e1"', 'model');
    fails({ experiments: [experiment({ qps_sweeps: [{ qps: 1 }] })] }, 'qps_sweeps[0]', 'no measured metric');
    fails({ experiments: [] }, 'gt.json', 'experiments');
    fails({ experiments: [experiment({}), experiment({})] }, 'experiments[1]', 'duplicate');
  });

  it('names distribution fields in the file, not CLI flags', () => {
    const x = experiment({});
    (x.workload_config.data as Record<string, number>).prompt_tokens_min = 50;
    fails({ experiments: [x] }, 'workload_config.data.prompt_tokens_min');
  });

  it('rejects malformed staged workloads and traces with the path', () => {
    const staged = experiment({
      qps_sweeps: undefined,
      workload_config: {
        type: 'inference_perf_shared_prefix',
        resolved_by_inference_perf: { shared_prefix: { num_groups: 0 }, stages: [] },
      },
      summary: { e2e_mean_ms: 5 },
    });
    fails({ experiments: [staged] }, '"e1"', 'resolved_by_inference_perf', 'shared_prefix');
    const csv = tmpFile('t.csv', 'arrival_s,input_tokens,output_tokens\n0,abc,4\n');
    const gt = tmpFile(
      'gt.json',
      JSON.stringify({ experiments: [experiment({ qps_sweeps: [{ trace: csv, e2e_mean_ms: 1 }] })] }),
    );
    expect(() => loadGroundTruth(gt)).toThrow(/t\.csv: line 2: input_tokens/);
  });

  it('rejects measured token statistics out of order, naming the field', () => {
    const stats = {
      prompt_len: { mean: 10, min: 5, p10: 6, median: 9, p90: 8, max: 12 } as Record<string, unknown>,
      output_len: { mean: 10, min: 5, p10: 6, median: 9, p90: 11, max: 12 } as Record<string, unknown>,
    };
    const x = experiment({
      measured_token_stats: stats,
      qps_sweeps: undefined,
      workload_config: {
        type: 'inference_perf_shared_prefix',
        resolved_by_inference_perf: {
          shared_prefix: {
            num_groups: 1,
            num_prompts_per_group: 1,
            system_prompt_len: 1,
            question_len: 1,
            output_len: 1,
          },
          stages: [{ rate: 1, duration: 1 }],
        },
      },
      summary: { e2e_mean_ms: 5 },
    });
    fails({ experiments: [x] }, '"e1"', 'measured_token_stats.prompt_len.p90', 'must be >= median');
    stats.prompt_len.p90 = 10;
    stats.prompt_len.mean = 13;
    fails({ experiments: [x] }, 'measured_token_stats.prompt_len.mean', '[5, 12]');
    stats.prompt_len.mean = 10;
    stats.output_len.max = 'many';
    fails({ experiments: [x] }, 'measured_token_stats.output_len.max');
  });

  it('reports unreadable and non-JSON files', () => {
    expect(() => loadGroundTruth('/nonexistent/gt.json')).toThrow(/\/nonexistent\/gt.json: cannot read/);
    expect(() => loadGroundTruth(tmpFile('x.json', '{oops'))).toThrow(/x\.json: not valid JSON/);
  });
});

describe('trace files with measured columns', () => {
  it('reads .csv.gz traces with per-request TTFT, E2E and stage', async () => {
    const { gzipSync } = await import('node:zlib');
    const dir = mkdtempSync(join(tmpdir(), 'gt-'));
    writeFileSync(
      join(dir, 't.csv.gz'),
      gzipSync(
        'arrival_s,input_tokens,output_tokens,ttft_ms,e2e_ms,stage\n10.5,5,3,20.5,100,1\n10,4,2,,90,0\n',
      ),
    );
    const gt = {
      experiments: [
        {
          experiment_name: 'x',
          model: 'm',
          vllm_config: { tensor_parallelism: 1 },
          workload_config: {},
          qps_sweeps: [{ trace: 't.csv.gz', e2e_mean_ms: 95 }],
        },
      ],
    };
    writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
    const w = loadGroundTruth(join(dir, 'gt.json')).experiments[0]!.replays[0]!.workload;
    expect(w.kind === 'trace' && w.rows).toEqual([
      { inputTokens: 4, outputTokens: 2, e2eMs: 90, stage: 0, arrivalUs: 0 },
      { inputTokens: 5, outputTokens: 3, ttftMs: 20.5, e2eMs: 100, stage: 1, arrivalUs: 500000 },
    ]);
    writeFileSync(join(dir, 't.csv.gz'), 'not gzip');
    expect(() => loadGroundTruth(join(dir, 'gt.json'))).toThrow(/t.csv.gz: not valid gzip/);
  });
});
