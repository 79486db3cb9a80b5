/**
 * What drawn arrivals cost: rewrites an imported staged run's exact trace with only its
 * arrivals changed (every request keeps its tokens, stage and order within the stage), as
 * Poisson draws at each stage rate (seeds 1..k) and evenly spaced at it, beside the exact one.
 * Evaluate the written files and compare with the exact trace's errors (docs/import/inference-perf.md).
 *   npx tsx tools/drawn-arrivals.ts gt.json out-prefix [seeds=5]
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../src/fs-atomic.ts';
import type { TraceRow } from '../src/groundtruth/experiment.ts';
import { parseTraceRows } from '../src/groundtruth/trace-file.ts';
import { traceCsv } from '../src/import/output.ts';
import { constantArrivals, poissonArrivals, type StageArrival } from '../src/workload/stage-arrivals.ts';

const [gtPath, prefix, seedsArg] = process.argv.slice(2);
if (!gtPath || !prefix) throw new Error('usage: drawn-arrivals.ts gt.json out-prefix [seeds]');
const doc = JSON.parse(readFileSync(gtPath, 'utf8')) as { experiments: Record<string, any>[] };
const seeds = Number(seedsArg ?? 5);

/** The rows with stage k's i-th row at stage k's i-th arrival. */
function rearrive(rows: TraceRow[], arrivals: StageArrival[]): TraceRow[] {
  const byStage = new Map<number, number[]>();
  for (const a of arrivals) byStage.set(a.stage, [...(byStage.get(a.stage) ?? []), a.arrival]);
  const used = new Map<number, number>();
  return rows.map((r) => {
    const k = r.stage ?? 0;
    const i = used.get(k) ?? 0;
    used.set(k, i + 1);
    const t = byStage.get(k)?.[i];
    if (t === undefined) throw new Error(`stage ${k}: more trace rows than its rate × duration`);
    return { ...r, arrivalUs: t };
  });
}

function write(variant: string, arrivalsOf: (stages: { rate: number; duration: number }[]) => StageArrival[]) {
  const out = resolve(`${prefix}-${variant}.json`);
  const experiments = doc.experiments.map((x) => {
    const ref = x.workload_config?.trace as string | undefined;
    const stages = x.workload_config?.resolved_by_inference_perf?.stages;
    if (!ref || !stages) return x;
    const from = join(dirname(resolve(gtPath!)), ref);
    const rows = parseTraceRows(gunzipSync(readFileSync(from)).toString(), from);
    const moved = rearrive(rows, arrivalsOf(stages)).sort((a, b) => a.arrivalUs - b.arrivalUs);
    const csv = traceCsv(
      moved.map((r) => ({
        startS: r.arrivalUs / 1e6,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        ttftMs: r.ttftMs ?? null,
        e2eMs: r.e2eMs ?? null,
        ok: true,
        ...(r.stage !== undefined ? { stage: r.stage } : {}),
      })),
    );
    const newRef = `${relative(dirname(out), out).replace(/\.json$/, '')}.traces/${variant}.csv.gz`;
    writeFileAtomic(join(dirname(out), newRef), gzipSync(csv));
    return { ...x, experiment_name: `${x.experiment_name} [${variant}]`, workload_config: { ...x.workload_config, trace: newRef } };
  });
  writeFileAtomic(out, `${JSON.stringify({ ...doc, experiments }, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

write('even', (stages) => [...constantArrivals({ stages })]);
for (let s = 1; s <= seeds; s++) write(`poisson-s${s}`, (stages) => [...poissonArrivals({ stages }, s)]);
