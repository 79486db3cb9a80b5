import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { resumeSettings } from '../../src/commands/tune.ts';
import { loadDefaults } from '../../src/config/coefficients.ts';
import { findGpu, parseHardwareConfig } from '../../src/config/hardware-config.ts';
import { inheritEverywhere, updateHardwareConfigText } from '../../src/config/hardware-config-write.ts';
import { AbortedError } from '../../src/errors.ts';
import { readEvals } from '../../src/tune/checkpoint.ts';
import { parseCv } from '../../src/tune/folds.ts';
import { candidateScore } from '../../src/tune/scorer.ts';
import { runTune, type TuneSettings } from '../../src/tune/session.ts';
import { allowedFields, parseParamFlag } from '../../src/tune/space.ts';
import { defaultsWithRow, replaceFileSafely, withFitAssumptions } from '../../src/tune/writeback.ts';
import { tuneSettings } from '../support/tune-settings.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tune-'));

const signal = () => new AbortController().signal;

describe('write-back', () => {
  it('changes only the tuned fields of the tuned GPU, byte for byte elsewhere', () => {
    const path = 'hardware_config.blis-v0.6.1.json';
    const before = readFileSync(path, 'utf8');
    const after = updateHardwareConfigText(before, 'h100', 'v1', { mfuDecode: 0.15, prefillBwFactor: 0.9 });
    const changes = diffLines(before, after).filter((c) => c.added || c.removed);
    // Only H100's mfuDecode changes, and prefillBwFactor is appended after its last v1 field.
    expect(changes.map((c) => `${c.added ? '+' : '-'}${c.value.replace(/\s+/g, ' ').trim()}`)).toEqual([
      '-"mfuDecode": 0.12, "allReduceLatency": 20',
      '+"mfuDecode": 0.15, "allReduceLatency": 20, "prefillBwFactor": 0.9',
    ]);
    const cfg = parseHardwareConfig(JSON.parse(after), 'x');
    expect(cfg.gpus.find((g) => g.key === 'H100')!.v1.mfuDecode).toBe(0.15);
    expect(cfg.gpus.find((g) => g.key === 'H200')!.v1).toEqual(
      parseHardwareConfig(JSON.parse(before), 'x').gpus.find((g) => g.key === 'H200')!.v1,
    );
  });

  it('puts a fit for all GPUs into defaults, and every GPU inherits it (also GPUs never tuned)', () => {
    const before = readFileSync('hardware_config.blis-v0.6.1.json', 'utf8');
    const fit = { mfuDecode: 0.21, requestOverheadMicros: 5000 };
    const after = inheritEverywhere(
      updateHardwareConfigText(before, 'defaults', 'v1', fit),
      'v1',
      Object.keys(fit),
    );
    const was = parseHardwareConfig(JSON.parse(before), 'x');
    const cfg = parseHardwareConfig(JSON.parse(after), 'x');
    expect(cfg.gpus.map((g) => g.key)).toEqual(was.gpus.map((g) => g.key));
    for (const g of cfg.gpus) {
      expect(g.v1.mfuDecode).toBe(0.21);
      expect(g.v1.requestOverheadMicros).toBe(5000);
      expect(g.inherited).toEqual(expect.arrayContaining(['v1.mfuDecode', 'v1.requestOverheadMicros']));
      // Fields not tuned stay the GPU's own.
      const old = was.gpus.find((w) => w.key === g.key)!;
      expect(g.v1.mfuPrefill).toBe(old.v1.mfuPrefill);
      expect(g.v2).toEqual(old.v2);
      expect(g.inherited).not.toContain('v1.mfuPrefill');
    }
  });

  it("writes what the fit scored: fields it did not search take the start file's values", () => {
    const v061 = readFileSync('hardware_config.blis-v0.6.1.json', 'utf8');
    const h100Of = (text: string) => findGpu(parseHardwareConfig(JSON.parse(text), 's'), 'H100');
    // The target holds an attention scale in defaults and a step overhead of H100's own that
    // the start (BLIS's file, neither field) never scored; the start has an all-reduce term.
    const target = updateHardwareConfigText(
      updateHardwareConfigText(v061, 'defaults', 'v2', { attentionMfuScale: 0.9 }),
      'H100',
      'v2',
      { stepOverheadMicros: 300 },
    );
    const from = h100Of(updateHardwareConfigText(v061, 'H100', 'v2', { allReduceMicros: 7 }));
    const searched = ['bwEfficiencyFactor', 'gemmMfuScale'];
    const out = withFitAssumptions(target, 'roofline-v2', 'v2', from, searched, 't');
    const h100 = h100Of(out).v2;
    expect(h100.attentionMfuScale).toBeUndefined();
    expect(h100.stepOverheadMicros).toBeUndefined();
    expect(h100.allReduceMicros).toBe(7);
    for (const f of allowedFields('roofline-v2').filter((f) => !searched.includes(f)))
      expect(h100[f], f).toBe(from.v2[f]);
    // Nothing to carry: the text stays byte for byte.
    expect(withFitAssumptions(v061, 'roofline-v2', 'v2', h100Of(v061), searched, 't')).toBe(v061);
  });

  it('leaves the old file whole when the write fails half-way, and keeps a backup', () => {
    const dir = tmp();
    const path = join(dir, 'hardware_config.json');
    copyFileSync('hardware_config.blis-v0.6.1.json', path);
    const old = readFileSync(path, 'utf8');
    const failing = {
      copyFileSync,
      writeFileSync: (p: string, d: string) => writeFileSync(p, d.slice(0, 10)),
      renameSync: () => {
        throw new Error('disk full');
      },
    };
    expect(() => replaceFileSafely(path, '{"new": 1}', 'T1', failing)).toThrow('disk full');
    expect(readFileSync(path, 'utf8')).toBe(old);
    const backup = replaceFileSafely(path, '{"new": 1}\n', 'T2');
    expect(readFileSync(backup, 'utf8')).toBe(old);
    expect(readFileSync(path, 'utf8')).toBe('{"new": 1}\n');
  });

  it('puts a fitted blackbox row where lookups find it first, keeping the table loadable', () => {
    const dir = tmp();
    const path = join(dir, 'defaults.yaml');
    const text = defaultsWithRow(readFileSync('defaults.yaml', 'utf8'), path, {
      id: 'meta-llama/llama-3.1-8b-instruct',
      GPU: 'H100',
      tensor_parallelism: 1,
      vllm_version: 'unknown',
      alpha_coeffs: [1, 2, 3],
      beta_coeffs: [4, 5, 6],
      total_kv_blocks: 100,
      provenance: 'test',
    });
    writeFileSync(path, text);
    const rows = loadDefaults(path).models.filter(
      (m) => m.id === 'meta-llama/llama-3.1-8b-instruct' && m.GPU === 'H100' && m.tensor_parallelism === 1,
    );
    expect(rows[0]!.alpha_coeffs).toEqual([1, 2, 3]);
    expect(rows.length).toBeGreaterThan(1);
    expect(text.startsWith('# Blackbox')).toBe(true);
  });
});

describe('tuning runs', () => {
  it('cross-validates, reports the current values beside the fit, and is deterministic', async () => {
    const a = await runTune(tuneSettings(tmp()), { signal: signal() });
    const b = await runTune(tuneSettings(tmp()), { signal: signal() });
    expect(a.result).toEqual(b.result);
    const r = a.result!;
    expect(r.folds.map((f) => f.test)).toEqual([['qwen7b-tp1-codegen'], ['llama8b-tp1-profile-only']]);
    expect(r.final.fitted.objective).toBeLessThanOrEqual(r.final.search.trace[0]!.best);
    expect(r.cv!.leftOut.ok).toBe(2);
    expect(r.why).toMatch(/cross-validated/);
  });

  it('selects experiments by GPU the way the evaluator resolves names (case, spaces, - and _)', async () => {
    const dir = tmp();
    const gt = JSON.parse(readFileSync('test/fixtures/gt/staged.json', 'utf8'));
    gt.experiments[0].hardware = 'h-100';
    writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
    const o = await runTune(
      tuneSettings(dir, { groundTruth: join(dir, 'gt.json'), cv: parseCv('none'), maxEvals: 2 }),
      {
        signal: signal(),
      },
    );
    expect(o.experiments.map((x) => x.name)).toEqual(['qwen7b-tp1-codegen', 'llama8b-tp1-profile-only']);
  });

  it('resumes after an interruption to the same result, without redoing finished work', async () => {
    const whole = await runTune(tuneSettings(tmp()), { signal: signal() });
    const dir = tmp();
    const stop = new AbortController();
    let done = 0;
    await expect(
      runTune(tuneSettings(dir), {
        signal: stop.signal,
        onJobDone: () => {
          if (++done === 5) stop.abort();
        },
      }),
    ).rejects.toBeInstanceOf(AbortedError);
    const saved = readEvals(dir).size;
    expect(saved).toBeGreaterThan(0);
    const resumed = await runTune(tuneSettings(dir, { resume: true }), { signal: signal() });
    expect(resumed.result).toEqual(whole.result);
    expect(resumed.evaluated + saved).toBe(readEvals(dir).size);
  });

  it('resumes from the checkpoint folder alone, every setting read from it', async () => {
    const dir = tmp();
    const run = {
      cv: parseCv('none'),
      maxEvals: 3,
      method: 'nelder-mead',
      race: null,
      fidelity: 0.5,
      polish: 3,
    } as const;
    const s = tuneSettings(dir, { ...run, output: { dryRun: true } });
    const whole = await runTune(tuneSettings(tmp(), run), { signal: signal() });
    // The search's winner and its start, then up to 3 more.
    expect(whole.result!.final.search.polish!.evaluations).toBeLessThanOrEqual(2 + 3);
    const stop = new AbortController();
    let done = 0;
    await expect(
      runTune(s, { signal: stop.signal, onJobDone: () => void (++done === 2 && stop.abort()) }),
    ).rejects.toBeInstanceOf(AbortedError);
    const again = resumeSettings(dir, {}, () => false);
    expect({ ...again, explicit: null }).toEqual({ ...s, explicit: null, resume: true });
    expect((await runTune(again, { signal: signal() })).result).toEqual(whole.result);
  });

  it('leaves out the experiments named by --exclude, and refuses an unknown name', async () => {
    const o = await runTune(
      tuneSettings(tmp(), { cv: parseCv('none'), maxEvals: 2, exclude: ['qwen7b-tp1-codegen'] }),
      { signal: signal() },
    );
    expect(o.experiments.map((x) => x.name)).toEqual(['llama8b-tp1-profile-only']);
    await expect(runTune(tuneSettings(tmp(), { exclude: ['nope'] }), { signal: signal() })).rejects.toThrow(
      /--exclude 'nope'/,
    );
  });

  it('leaves out a run whose server failed requests (censored latencies) unless told to keep it', async () => {
    const gt = JSON.parse(readFileSync('test/fixtures/gt/staged.json', 'utf8'));
    Object.assign(gt.experiments[0].summary, { num_failures: 30, num_sent: 100 });
    gt.experiments[1].flags = { failure_fraction: 0.01 };
    const file = join(tmp(), 'gt.json');
    writeFileSync(file, JSON.stringify(gt));
    const run = (over: Partial<TuneSettings>) =>
      runTune(tuneSettings(tmp(), { groundTruth: file, cv: parseCv('none'), maxEvals: 2, ...over }), {
        signal: signal(),
      });
    const o = await run({});
    expect(o.experiments.map((x) => x.name)).toEqual(['llama8b-tp1-profile-only']);
    expect(o.leftOut).toEqual([
      { name: 'qwen7b-tp1-codegen', why: expect.stringMatching(/failed 30\.0 % of its requests/) },
    ]);
    const all = await run({ includeFailing: true });
    expect(all.experiments.map((x) => x.failedFraction)).toEqual([0.3, 0.01]);
    expect(all.leftOut).toEqual([]);
  });

  it('fits one set of values for every GPU with --hardware all', async () => {
    const o = await runTune(tuneSettings(tmp(), { hardware: 'all', cv: parseCv('none'), maxEvals: 2 }), {
      signal: signal(),
    });
    expect(o.scope).toBe('all GPUs');
    expect(o.experiments.length).toBe(2);
    await expect(
      runTune(tuneSettings(tmp(), { hardware: 'all', latencyModel: 'blackbox' }), { signal: signal() }),
    ).rejects.toThrow(/--hardware all/);
  });

  it.each([
    // A grid shards by points, the start (the file's values, so the current values) first:
    // after the merge nothing is left to simulate.
    ['a grid', { method: 'grid' as const, maxEvals: 100, cv: parseCv('none') }, 0],
    // Nelder–Mead over a 775-point space shards by searches (2 folds + the final one over 2
    // shards, each at most 8 candidates × 2 experiments, not grid slices of ~390 points); the
    // merge replays them from the memo, the current values included (every search's start).
    [
      'an adaptive search',
      {
        method: 'nelder-mead' as const,
        maxEvals: 8,
        params: ['mfuDecode=0.08:0.2:0.005', 'TOverheadMicros=0:1500:50'].map((p) =>
          parseParamFlag('roofline-v1', p),
        ),
      },
      0,
    ],
  ])('gives the same result from merged shards as from one run, for %s', async (_, settings, after) => {
    const one = await runTune(tuneSettings(tmp(), settings), { signal: signal() });
    const dirs = [tmp(), tmp()];
    for (const [i, d] of dirs.entries()) {
      const o = await runTune(tuneSettings(d, { ...settings, shard: { k: i + 1, n: 2 } }), {
        signal: signal(),
      });
      expect(o.result).toBeUndefined();
      expect(o.evaluated).toBeGreaterThan(0);
      expect(o.evaluated).toBeLessThanOrEqual(2 * 8 * 2);
    }
    const merged = tmp();
    writeFileSync(
      join(merged, 'evals.jsonl'),
      dirs.map((d) => readFileSync(join(d, 'evals.jsonl'), 'utf8')).join(''),
    );
    copyFileSync(join(dirs[0]!, 'state.json'), join(merged, 'state.json'));
    const fromShards = await runTune(tuneSettings(merged, { ...settings, resume: true }), {
      signal: signal(),
    });
    expect(fromShards.result).toEqual(one.result);
    expect(fromShards.evaluated).toBe(after);
  });
});

describe('candidates that a GPU entry cannot run', () => {
  it('refuses a space with the TP link term where a TP > 1 experiment’s GPU states no interconnect', async () => {
    const s = tuneSettings(tmp(), {
      groundTruth: resolve('eval/combined_ground_truth.json'),
      only: ['65-01-ai-yi-34b-tp2-general-lite-2-1'],
      pinned: [parseParamFlag('roofline-v1', 'allReduceLinkScale=1')],
    });
    await expect(runTune(s, { signal: signal() })).rejects.toThrow(
      /H100: InterconnectGBs is missing, and allReduceLinkScale/,
    );
  });

  it('an experiment the current values run but a candidate cannot counts as failed, not left out', () => {
    const na = { status: 'not_applicable' as const, apes: {}, reason: 'needs InterconnectGBs' };
    const ok = { status: 'ok' as const, apes: { e2e_mean: 5 } };
    // The scorer passes the current values' score of the same replay (none for the current's own job).
    expect(candidateScore(na, ok)).toMatchObject({ status: 'failed' });
    expect(candidateScore(na, undefined)).toBe(na);
    expect(candidateScore(na, na)).toBe(na);
    expect(candidateScore(ok, ok)).toBe(ok);
  });
});
