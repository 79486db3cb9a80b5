/**
 * LMBench per-request CSVs (docs/import/lmbench.md), as the LMCache benchmark writes one per
 * request rate (`LMBench_<workload>_output_<qps>.csv`): prompt_tokens, generation_tokens,
 * ttft and generation_time (s), launch_time and finish_time (epoch s). Every file of a folder
 * is a point of one experiment, replayed request by request.
 */

import { basename, dirname } from 'node:path/posix';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.ts';
import { logFacts, serverFields } from './assemble.ts';
import { experimentName, type ImportContext, loadLabel } from './context.ts';
import { folderManifestFacts } from './manifest-facts.ts';
import { failureFlags, qpsPoint } from './points.ts';
import { mergeFacts } from './server-facts.ts';
import { measuredTokenStats } from './stats.ts';
import type { Bundle, ImportedExperiment, ImportFile, RequestRecord, SourceRef, TraceOut } from './types.ts';

const COLUMNS = ['prompt_tokens', 'generation_tokens', 'ttft', 'generation_time', 'launch_time'] as const;

function header(f: ImportFile): string[] {
  return (f.text().split('\n', 1)[0] ?? '').trim().split(',');
}

const lmbenchFiles = (b: Bundle) =>
  b.files.filter((f) => f.rel.endsWith('.csv') && COLUMNS.every((c) => header(f).includes(c)));

export function isLmbench(bundle: Bundle): boolean {
  return lmbenchFiles(bundle).length > 0;
}

/** The rate in the file's name (`…_output_2.5.csv`), else null. */
function rateOf(rel: string): number | null {
  const m = /_output_(\d+(?:\.\d+)?)\.csv$/.exec(rel);
  return m ? Number(m[1]) : null;
}

function records(f: ImportFile): RequestRecord[] {
  const rows = parse(f.text(), { columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string
  >[];
  return rows.map((row, i) => {
    const v = Object.fromEntries(COLUMNS.map((c) => [c, Number(row[c])])) as Record<
      (typeof COLUMNS)[number],
      number
    >;
    const bad = COLUMNS.find((c) => row[c] === '' || !Number.isFinite(v[c]));
    if (bad === 'launch_time' || bad === 'prompt_tokens')
      throw new InputError(`${f.rel}: row ${i + 2}: ${bad}: expected a number, got '${row[bad]}'`);
    const ok = bad === undefined && v.ttft > 0 && v.generation_tokens > 0;
    return {
      startS: v.launch_time,
      inputTokens: v.prompt_tokens,
      outputTokens: ok ? v.generation_tokens : 0,
      // The client's request latency is ttft + generation_time (= finish_time − launch_time).
      ttftMs: ok ? v.ttft * 1000 : null,
      e2eMs: ok ? (v.ttft + v.generation_time) * 1000 : null,
      ok,
    };
  });
}

export function importLmbench(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const files = lmbenchFiles(bundle);
  if (files.length === 0)
    throw new InputError(`${bundle.name}: no LMBench CSV (columns ${COLUMNS.join(', ')})`);
  const dirs = [...new Set(files.map((f) => dirname(f.rel)))].sort();
  return dirs.map((dir, i) => {
    const set = files
      .filter((f) => dirname(f.rel) === dir)
      .sort(
        (a, b) => (rateOf(a.rel) ?? Infinity) - (rateOf(b.rel) ?? Infinity) || a.rel.localeCompare(b.rel),
      );
    const load = loadLabel(set.map((f) => ({ rate: rateOf(f.rel) })));
    const source = dir === '.' ? bundle.name : basename(dir);
    const name = experimentName(ctx, { model: null, client: 'lmbench', load }, source, dirs.length, i);
    return experiment(bundle, set, dir, name, ctx);
  });
}

function experiment(
  bundle: Bundle,
  set: ImportFile[],
  dir: string,
  name: string,
  ctx: ImportContext,
): ImportedExperiment {
  const where = `${dir}: experiment "${name}"`;
  // The server: vLLM logs, then a Kubernetes manifest beside the CSVs (llm-d-benchmark keeps them apart).
  const files = mergeFacts(
    logFacts(bundle, ctx.flags, dir === '.' ? '' : `${dir}/`),
    folderManifestFacts(bundle, dir),
  );
  const server = serverFields(files, ctx.flags, where);
  const provenance: SourceRef[] = [...server.provenance];
  const points: Record<string, unknown>[] = [];
  const traces: TraceOut[] = [];
  const allOk: RequestRecord[] = [];
  for (const f of set) {
    const recs = records(f);
    const ok = recs.filter((r) => r.ok);
    const rate = rateOf(f.rel);
    // Completed requests over first send to last completion, as the other clients count it.
    const end = Math.max(...ok.map((r) => r.startS + r.e2eMs! / 1000));
    const span = end - Math.min(...recs.map((r) => r.startS));
    const p = qpsPoint(
      {
        label: rate === null ? basename(f.rel, '.csv') : `rate-${rate}`,
        file: f.rel,
        rate,
        achievedRate: span > 0 ? ok.length / span : null,
        sent: recs.length,
        failed: recs.length - ok.length,
        records: recs,
        summary: {},
        input: null,
        output: null,
      },
      name,
      ctx,
      provenance,
    );
    if (p.point) points.push(p.point);
    if (p.trace) traces.push(p.trace);
    allOk.push(...ok);
  }
  if (points.length === 0) throw new InputError(`${where}: every request of every file failed`);
  const json = {
    experiment_name: name,
    ...server.fields,
    workload_config: { workload_family: 'lmbench' },
    ...(allOk.length > 0 ? { measured_token_stats: measuredTokenStats(allOk) } : {}),
    qps_sweeps: points,
    flags: failureFlags(points),
    provenance,
    imported_from: { format: 'lmbench', files: set.map((f) => f.rel) },
  };
  const describe = `${points.length} qps points, per-request traces, KV blocks: ${server.kvSource}`;
  return { json, traces, describe };
}
