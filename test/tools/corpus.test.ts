import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadShape } from '../../tools/corpus/manifest.ts';
import { recipeSchema } from '../../tools/corpus/recipe.ts';
import { RESERVED_SOURCES, reservedSourcesIn, sourceDigest } from '../../tools/corpus/reserved.ts';
import { REPO, runCli } from '../support/cli.ts';

const DIR = join(REPO, 'eval', 'corpus');
const json = <T>(f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as T;

interface Row {
  experiment: string;
  gpu: string;
  model: string;
  tp: number;
  stated: string[];
  source: { repository: string; commit: string; files: string[]; license: string };
}
const corpus = json<{ experiments: Record<string, unknown>[] }>('corpus.json');
const manifest = json<{
  sources: Record<string, { repository: string; license: string }>;
  experiments: Row[];
  left_out: { source: string; what: string; why: string }[];
}>('manifest.json');

describe('eval/corpus: the training corpus', () => {
  it('validates: schema, traces, every GPU and model known, a latency model for every experiment', () => {
    const r = runCli(['validate', 'eval/corpus/corpus.json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`OK, ${corpus.experiments.length} experiments`);
  });

  it('has one manifest row per experiment, in order, with the same GPU, model and TP', () => {
    expect(manifest.experiments.map((r) => r.experiment)).toEqual(
      corpus.experiments.map((x) => x.experiment_name),
    );
    for (const [i, x] of corpus.experiments.entries()) {
      const row = manifest.experiments[i]!;
      expect([row.gpu, row.model, row.tp]).toEqual([
        x.hardware,
        x.model,
        (x.vllm_config as { tensor_parallelism: number }).tensor_parallelism,
      ]);
    }
  });

  it('names for every experiment its source: repository, commit, files and licence, in the file and the manifest', () => {
    const repos = new Set(Object.values(manifest.sources).map((s) => s.repository));
    for (const [i, x] of corpus.experiments.entries()) {
      const src = x.source as Row['source'];
      const row = manifest.experiments[i]!;
      expect(src).toMatchObject({ repository: row.source.repository, commit: row.source.commit });
      expect(src.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(src.files.length).toBeGreaterThan(0);
      expect(src.license.length).toBeGreaterThan(0);
      expect(repos.has(src.repository)).toBe(true);
      expect(row.stated.length).toBeGreaterThan(0);
    }
  });

  it('never draws on the data reserved for independent judging', () => {
    expect(RESERVED_SOURCES.size).toBe(3);
    expect(reservedSourcesIn(JSON.stringify(manifest.sources))).toEqual([]);
    expect(reservedSourcesIn(JSON.stringify(corpus.experiments.map((x) => x.source)))).toEqual([]);
    expect(reservedSourcesIn(JSON.stringify(manifest.left_out))).toEqual([]);
  });

  it('recognises a reserved owner/name alone, in a URL or a path, in any case', () => {
    const reserved = new Set([sourceDigest('some-org/held-out')]);
    const text = JSON.stringify({
      a: 'Some-Org/Held-Out',
      b: 'https://github.com/some-org/held-out/tree/main/bench',
      c: 'some-org/held-out-2 other-org/held-out',
    });
    expect(reservedSourcesIn(text, reserved)).toEqual(['Some-Org/Held-Out', 'some-org/held-out']);
  });

  it('the manifest is the recipe rebuilt: same sources, and every left-out item says why', () => {
    const recipe = recipeSchema.parse(json('recipe.json'));
    expect(manifest.sources).toEqual(recipe.sources);
    expect(manifest.left_out).toEqual(recipe.left_out);
    for (const l of manifest.left_out) {
      expect(recipe.sources[l.source]).toBeDefined();
      expect(l.why.length).toBeGreaterThan(5);
    }
  });
});

describe('manifest load shapes', () => {
  it('says how each point loaded the server', () => {
    expect(
      loadShape({
        qps_sweeps: [
          { requested_rate: 'inf', num_sent: 500 },
          { requested_rate: 4, num_sent: 200 },
          { requested_rate: 'inf', max_concurrency: 8, num_sent: 100 },
        ],
      }),
    ).toBe('all 500 requests at once; 200 requests at 4 req/s; closed loop of 8, 100 requests');
  });
});
