/**
 * Builds eval/corpus/ from eval/corpus/recipe.json: every experiment imported with
 * `blis-eval import`'s own code from the public files it names (read with git from local
 * snapshots of the repositories, at the recipe's commit), decorated with its source and
 * licence; then corpus.json (+ corpus.traces/), manifest.json and manifest.md. The raw files
 * are not kept here. Run:
 *   npx tsx tools/corpus/build.ts --mirror <dir of <owner>+<name>/repo git dirs> [--out eval/corpus]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadHardwareConfig, lookupGpu } from '../../src/config/hardware-config.ts';
import { writeFileAtomic } from '../../src/fs-atomic.ts';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { parseTraceRows } from '../../src/groundtruth/trace-file.ts';
import type { ImportContext } from '../../src/import/context.ts';
import { importBundle } from '../../src/import/index.ts';
import { traceCsv } from '../../src/import/output.ts';
import type { Bundle, ImportedExperiment } from '../../src/import/types.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { type ManifestRow, manifestMarkdown, manifestRow } from './manifest.ts';
import { type Recipe, type RecipeExperiment, recipeSchema } from './recipe.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const out = resolve(arg('out', join(PACKAGE_ROOT, 'eval', 'corpus')));
const mirror = resolve(arg('mirror', process.env.CORPUS_MIRROR ?? '/work/.mirror'));
const recipe: Recipe = recipeSchema.parse(JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8')));
const hw = loadHardwareConfig(join(PACKAGE_ROOT, 'hardware_config.json'));
const TRACE_DIR = 'corpus.traces';

/** A file of a repository at a commit, from its local snapshot. */
function gitShow(repository: string, commit: string, path: string): string {
  const gitDir = join(mirror, repository.replace('/', '+'), 'repo');
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

/** Lines outside the kept ranges blanked: the importer sees only them, at their own line numbers. */
function keepLines(text: string, keep: [number, number][] | undefined): string {
  if (!keep) return text;
  return text
    .split('\n')
    .map((l, i) => (keep.some(([a, b]) => i + 1 >= a && i + 1 <= b) ? l : ''))
    .join('\n');
}

function bundleOf(r: RecipeExperiment): Bundle {
  const src = recipe.sources[r.source];
  if (!src) throw new Error(`${r.name}: unknown source ${r.source}`);
  const name = r.files.length === 1 ? basename(r.files[0]!.as ?? r.files[0]!.path) : r.name;
  const files = r.files.map((f) => {
    const text = keepLines(gitShow(src.repository, src.commit, f.path), f.keep);
    const rel = r.files.length === 1 ? name : `${name}/${f.as ?? basename(f.path)}`;
    return { rel, text: () => text };
  });
  return { name, files };
}

function importEntry(r: RecipeExperiment): ImportedExperiment[] {
  const gpu = lookupGpu(hw, r.flags.hardware);
  if (!gpu) throw new Error(`${r.name}: no GPU ${r.flags.hardware} in hardware_config.json`);
  const ctx: ImportContext = {
    flags: {
      summaryOnly: false,
      name: r.name,
      hardware: gpu.key,
      ...(gpu.MemoryGiB !== undefined ? { gpuMemoryGiB: gpu.MemoryGiB } : {}),
      ...(r.flags.tp !== undefined ? { tp: r.flags.tp } : {}),
      ...(r.flags.model !== undefined ? { model: r.flags.model } : {}),
      ...(r.flags.vllmVersion !== undefined ? { vllmVersion: r.flags.vllmVersion } : {}),
      ...(r.flags.asyncScheduling !== undefined ? { asyncScheduling: r.flags.asyncScheduling } : {}),
      ...(r.flags.totalKvBlocks !== undefined ? { totalKvBlocks: r.flags.totalKvBlocks } : {}),
    },
    traceDir: TRACE_DIR,
  };
  const xs = importBundle(bundleOf(r), r.format, ctx).experiments;
  if (xs.length === 1) return xs;
  // Several runs of one server (bursts of several sizes): each is named by its load.
  return xs.map((x) => {
    if (x.traces.length > 0)
      throw new Error(`${r.name}: several experiments with traces; give each its own entry`);
    const p = (x.json.qps_sweeps as Record<string, unknown>[])[0]!;
    const d = p.data as Record<string, number>;
    const c = p.max_concurrency != null ? ` c=${String(p.max_concurrency)}` : '';
    return {
      ...x,
      json: {
        ...x.json,
        experiment_name: `${r.name} n=${String(p.num_requests)}${c} in=${d.prompt_tokens} out=${d.output_tokens}`,
      },
    };
  });
}

const experiments: Record<string, unknown>[] = [];
const rows: ManifestRow[] = [];
const traces = new Map<string, string>();
for (const r of recipe.experiments)
  for (const x of importEntry(r)) {
    const src = recipe.sources[r.source]!;
    const files = r.files.map(
      (f) =>
        `${f.path}${f.keep ? ` (lines ${f.keep.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(', ')})` : ''}`,
    );
    const json = {
      ...x.json,
      ...(r.model_config ? { model_config: `../../model_configs/${r.model_config.folder}` } : {}),
      source: {
        repository: src.repository,
        commit: src.commit,
        files,
        license: src.license,
        ...(r.model_config ? { model_config: r.model_config.why } : {}),
      },
    };
    experiments.push(json);
    rows.push(manifestRow(json, r, recipe, files));
    for (const t of x.traces) traces.set(t.ref, traceCsv(t.rows));
  }

const doc = {
  format: 'blis-eval ground truth (docs/ground-truth-format.md)',
  provenance: {
    built_by: 'tools/corpus/build.ts from eval/corpus/recipe.json with blis-eval import',
    rule: 'measured values read from public benchmark-client files; each experiment names its repository, commit, files and licence (manifest.json)',
  },
  experiments,
};
const corpusPath = join(out, 'corpus.json');
parseGroundTruth(doc, corpusPath, 'executed', (ref) => {
  const text = traces.get(ref);
  return text === undefined ? undefined : parseTraceRows(text, ref);
});
for (const [ref, text] of [...traces].sort(([a], [b]) => a.localeCompare(b)))
  writeFileAtomic(join(out, ref), gzipSync(text, { level: 9 }));
writeFileAtomic(corpusPath, `${JSON.stringify(doc, null, 2)}\n`);
writeFileAtomic(
  join(out, 'manifest.json'),
  `${JSON.stringify({ sources: recipe.sources, experiments: rows, left_out: recipe.left_out }, null, 2)}\n`,
);
writeFileAtomic(join(out, 'manifest.md'), manifestMarkdown(rows, recipe));
process.stdout.write(`wrote ${corpusPath}: ${experiments.length} experiments, ${traces.size} traces\n`);
