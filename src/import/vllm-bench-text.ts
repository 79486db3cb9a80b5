/**
 * `vllm bench serve` / `benchmark_serving.py` results that exist only as printed text: the
 * "Serving Benchmark Result" block in a console log, README or blog post (.txt, .log, .md),
 * with the command lines above it (docs/import/vllm-bench-text.md). Each block is one run,
 * read into the keys of the client's result JSON and turned into a point as that JSON is.
 */
import { basename } from 'node:path/posix';
import { InputError } from '../errors.ts';
import { logFacts, serverFields } from './assemble.ts';
import {
  type CommandLine,
  commandLines,
  contradicts,
  flagValue,
  hasFlag,
  lengthSpan,
  rangeRatio,
  requestedLengths,
} from './bench-command.ts';
import { loadLabel as contentLoad, experimentName, type ImportContext } from './context.ts';
import { failureFlags, qpsPoint, type RunInput } from './points.ts';
import {
  cleanLines,
  hasPrintedBlock,
  type PrintedBlock,
  printedBlocks,
  SETTINGS,
  settingValue,
} from './printed-block.ts';
import type { Json } from './read.ts';
import { factsFromArgs, mergeFacts } from './server-facts.ts';
import type { Bundle, ImportedExperiment, ImportFile, ServerFacts, SourceRef } from './types.ts';
import { runInput } from './vllm-bench.ts';

const textFiles = (b: Bundle) =>
  b.files.filter((f) => /\.(txt|log|md)$/i.test(f.rel) && hasPrintedBlock(f.text()));

export function isVllmBenchText(bundle: Bundle): boolean {
  return textFiles(bundle).length > 0;
}

/** One printed run with what the text says around it. */
interface Run {
  f: ImportFile;
  block: PrintedBlock;
  client: CommandLine | undefined;
  server: CommandLine | undefined;
  j: Json;
  notes: SourceRef[];
}

export function importVllmBenchText(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const files = textFiles(bundle);
  if (files.length === 0)
    throw new InputError(`${bundle.name}: no "Serving Benchmark Result" block in a .txt, .log or .md file`);
  const sets = files.flatMap((f) => experimentsOf(f, files.length === 1 ? bundle.name : f.rel));
  if (sets.length === 0)
    throw new InputError(`${bundle.name}: every printed block was served by another engine than vLLM`);
  return sets.map((s, i) => {
    const runs = [...s.runs].sort((a, b) => rateOrder(a.j) - rateOrder(b.j));
    const load = contentLoad(
      runs.map((r) => ({
        rate: typeof r.j.request_rate === 'number' ? r.j.request_rate : 'inf',
        maxConcurrency: typeof r.j.max_concurrency === 'number' ? r.j.max_concurrency : null,
        requests: typeof r.j.num_prompts === 'number' ? r.j.num_prompts : undefined,
      })),
    );
    const model = typeof runs[0]!.j.model_id === 'string' ? runs[0]!.j.model_id : null;
    const name = experimentName(ctx, { model, client: 'vllm-bench', load }, s.name, sets.length, i);
    return experiment(bundle, s.runs, name, ctx, s.leftOut);
  });
}

/** A file's runs, grouped into experiments: one per model, server and lengths; a repeated load splits. */
function experimentsOf(f: ImportFile, label: string): { name: string; runs: Run[]; leftOut: SourceRef[] }[] {
  const lines = cleanLines(f.text());
  const commands = commandLines(lines);
  const before = (kinds: CommandLine['kind'][], line: number) =>
    commands.filter((c) => kinds.includes(c.kind) && c.line < line).at(-1);
  const notVllm: SourceRef[] = [];
  const runs = printedBlocks(lines, f.rel).flatMap((block) => {
    const server = before(['server', 'other-server'], block.line);
    // A page comparing engines: a block under SGLang's or TensorRT-LLM's server is theirs.
    if (server?.kind === 'other-server') {
      notVllm.push({
        field: 'left out',
        file: f.rel,
        key: `line ${block.line}`,
        note: `served by ${server.program} (line ${server.line}): not a vLLM run`,
      });
      return [];
    }
    const nearest = before(['client'], block.line);
    const why = nearest && contradicts(nearest, block.values);
    const run = readRun(f, block, lines, why ? undefined : nearest, server);
    if (why)
      run.notes.push({
        field: 'client',
        file: f.rel,
        key: `line ${nearest!.line}`,
        note: `the nearest client command above is not this block's (${why}): not read`,
      });
    return [run];
  });

  const groups = new Map<string, Run[][]>();
  for (const r of runs) {
    const sets = groups.get(groupKey(r)) ?? [[]];
    const last = sets.at(-1)!;
    if (last.some((x) => loadKey(x.j) === loadKey(r.j))) sets.push([r]);
    else last.push(r);
    groups.set(groupKey(r), sets);
  }
  const sets = [...groups.values()].flat();
  const stem = basename(label).replace(/\.(txt|log|md)$/i, '');
  const named = names(stem, sets);
  return sets.map((runs, i) => ({ name: named[i]!, runs, leftOut: i === 0 ? notVllm : [] }));
}

const SETTING_KEYS = new Set(Object.values(SETTINGS));

const groupKey = (r: Run) =>
  [r.j.model_id, r.server?.line, ...requestedLengths(r.client).map((x) => x?.value)].join('|');
/** Points of one experiment differ in rate (the evaluator names a point by it). */
const loadKey = (j: Json) => String(j.request_rate);
const loadLabel = (j: Json) =>
  [
    j.request_rate === 'inf' && j.max_concurrency != null ? '' : `rate-${String(j.request_rate)}`,
    j.max_concurrency != null ? `c${String(j.max_concurrency)}` : '',
  ]
    .filter(Boolean)
    .join('-');

/**
 * Experiment names: the file's stem, plus what tells each experiment from the file's others,
 * in this order until the names differ: model, lengths, load, request count; then `-runN`.
 */
function names(stem: string, sets: Run[][]): string[] {
  const tags = sets.map((rs) => [
    String(rs[0]!.j.model_id ?? '')
      .split('/')
      .at(-1)!,
    requestedLengths(rs[0]!.client)
      .map((x) => x?.value ?? '')
      .join('x'),
    rs.map((r) => loadLabel(r.j)).join('_'),
    rs.map((r) => (r.j.num_prompts === undefined ? '' : `n${String(r.j.num_prompts)}`)).join('_'),
  ]);
  let out = sets.map(() => stem);
  for (let k = 0; k < 4 && new Set(out).size < out.length; k++) {
    if (new Set(tags.map((t) => t[k])).size > 1)
      out = out.map((n, i) => (/[^x_]/.test(tags[i]![k]!) ? `${n}-${tags[i]![k]}` : n));
  }
  const seen = new Map<string, number>();
  return out.map((n) => {
    if (out.filter((o) => o === n).length === 1) return n;
    seen.set(n, (seen.get(n) ?? 0) + 1);
    return `${n}-run${seen.get(n)}`;
  });
}

/** A block as a result-file JSON: its values, the settings printed above it, then the command's flags. */
function readRun(
  f: ImportFile,
  block: PrintedBlock,
  lines: readonly string[],
  client: CommandLine | undefined,
  server: CommandLine | undefined,
): Run {
  const j: Json = { ...block.values };
  const notes: SourceRef[] = [];
  const at = (line: number) => `line ${line}`;
  for (const [k, line] of Object.entries(block.lines))
    if (SETTING_KEYS.has(k)) notes.push({ field: k, file: f.rel, key: at(line) });
  for (let i = block.preamble.to - 1; i >= block.preamble.from; i--) {
    const m = /^([^:]+):\s*(.+)$/.exec(lines[i]!);
    const key = m ? SETTINGS[m[1]!.trim().toLowerCase().replace(/\s+/g, ' ')] : undefined;
    if (!m || key === undefined || key in j) continue;
    j[key] = settingValue(key, m[2]!);
    notes.push({ field: key, file: f.rel, key: at(i + 1), note: 'printed above the block' });
  }
  const fromCommand = (key: string, flag: string, numeric = true) => {
    const v = client ? flagValue(client.words, flag) : undefined;
    // A list (`--request-rate 1,2,4`, a sweep) says nothing about one run.
    if (key in j || v === undefined || (numeric && v !== 'inf' && !Number.isFinite(Number(v)))) return;
    j[key] = numeric && v !== 'inf' ? Number(v) : v;
    notes.push({ field: key, file: f.rel, key: `${at(client!.line)}: --${flag}` });
  };
  fromCommand('request_rate', 'request-rate');
  fromCommand('max_concurrency', 'max-concurrency');
  fromCommand('burstiness', 'burstiness');
  fromCommand('num_prompts', 'num-prompts');
  fromCommand('backend', 'backend', false);
  fromCommand('model_id', 'model', false);
  if (typeof j.model_id === 'string' && /^[/.~]/.test(j.model_id)) localModel(j, client!, notes);
  const served = server && !('model_id' in j) ? factsFromArgs(server.words, f.rel).model : undefined;
  if (served) {
    j.model_id = served.value;
    notes.push({ field: 'model_id', file: f.rel, key: `line ${server!.line}: ${served.key}` });
  }
  if (!('request_rate' in j)) {
    j.request_rate = 'inf';
    notes.push({ field: 'request_rate', file: f.rel, note: 'not stated: the client default, inf' });
  }
  if (j.max_concurrency === null) delete j.max_concurrency;
  // A 0.00 printed for a latency is not a measurement (e.g. ITL of a non-streamed run).
  for (const [k, v] of Object.entries(j))
    if (/_ms$/.test(k) && typeof v === 'number' && v <= 0) {
      delete j[k];
      notes.push({ field: k, file: f.rel, key: at(block.lines[k]!), note: `printed ${v}: left out` });
    }
  return { f, block, client, server, j, notes };
}

/** `--model /models/X`: the tokenizer's Hugging Face id when the command gives one, else the folder's name. */
function localModel(j: Json, client: CommandLine, notes: SourceRef[]): void {
  const path = String(j.model_id);
  const tok = flagValue(client.words, 'tokenizer');
  j.model_id = tok && /^[\w.-]+\/[\w.-]+$/.test(tok) ? tok : (path.split('/').filter(Boolean).at(-1) ?? path);
  const note = notes.find((n) => n.field === 'model_id')!;
  note.key = `line ${client.line}: ${j.model_id === tok ? '--tokenizer' : '--model'}`;
  note.note = `--model is a local path (${path})`;
}

function experiment(
  bundle: Bundle,
  runs: Run[],
  name: string,
  ctx: ImportContext,
  leftOut: SourceRef[],
): ImportedExperiment {
  const { f, client, server } = runs[0]!;
  const where = `${f.rel}: experiment "${name}"`;
  const model = runs[0]!.j.model_id;
  const modelNote = runs[0]!.notes.find((n) => n.field === 'model_id');
  const facts: ServerFacts = {};
  if (typeof model === 'string' && modelNote)
    facts.model = {
      value: model,
      file: f.rel,
      key: modelNote.key!,
      ...(modelNote.note ? { note: modelNote.note } : {}),
    };
  const serverFacts = server ? factsFromArgs(server.words, f.rel) : {};
  for (const x of Object.values(serverFacts)) if (x) x.key = `line ${server!.line}: ${x.key}`;
  const s = serverFields(mergeFacts(facts, serverFacts, logFacts(bundle, ctx.flags)), ctx.flags, where);
  const provenance: SourceRef[] = [...s.provenance, ...leftOut];
  const [inLen, outLen] = requestedLengths(client);
  const ratio = rangeRatio(client);
  const points: Record<string, unknown>[] = [];
  const skipped: string[] = [];
  const sorted = [...runs].sort((a, b) => rateOrder(a.j) - rateOrder(b.j) || a.block.line - b.block.line);
  for (const r of sorted) {
    const { input } = runInput(r.f, r.j);
    const label = loadLabel(r.j);
    const run: RunInput = {
      ...input,
      label,
      file: `${r.f.rel}:${r.block.line}`,
      input: lengthSpan(input.input, inLen?.value, ratio),
      output: lengthSpan(input.output, outLen?.value, ratio),
      extra: {
        ...input.extra,
        ...(r.j.max_concurrency != null ? { max_concurrency: r.j.max_concurrency } : {}),
        ...(typeof r.j.burstiness === 'number' ? { burstiness: r.j.burstiness } : {}),
      },
    };
    const own = r.notes.filter((n) => n.field !== 'model_id');
    provenance.push(...own.map((n) => ({ ...n, field: `qps_sweeps (${label}).${n.field}` })));
    for (const [side, summary, flag] of [
      ['input', input.input, inLen],
      ['output', input.output, outLen],
    ] as const)
      if (summary === null && flag)
        provenance.push({
          field: `qps_sweeps (${label}).data.${side}`,
          file: r.f.rel,
          key: `line ${client!.line}: ${flag.flag}`,
          note: 'no token total printed: the length the command asked for',
        });
    const p = qpsPoint(run, name, ctx, provenance);
    if (p.point) points.push(p.point);
    if (p.skipped) skipped.push(p.skipped);
  }
  if (points.length === 0)
    throw new InputError(
      `${where}: every request of every run failed: nothing measured (${skipped.join('; ')})`,
    );
  const json = {
    experiment_name: name,
    ...s.fields,
    workload_config: {
      workload_family: 'vllm-bench',
      client: client?.program ?? null,
      backend: runs[0]!.j.backend ?? null,
      dataset_name: (client && flagValue(client.words, 'dataset-name')) ?? null,
      input_len: inLen?.value ?? null,
      output_len: outLen?.value ?? null,
      range_ratio: ratio ?? null,
      ignore_eos: client ? hasFlag(client.words, 'ignore-eos') : null,
    },
    qps_sweeps: points,
    ...(skipped.length > 0 ? { skipped_points: skipped } : {}),
    flags: failureFlags(points),
    provenance,
    imported_from: {
      format: 'vllm-bench-text',
      files: [f.rel],
      blocks: sorted.map((r) => r.block.line),
      ...(client ? { client_command: `line ${client.line}` } : {}),
      ...(server ? { server_command: `line ${server.line}` } : {}),
    },
  };
  const describe = `${points.length} printed runs${skipped.length ? ` (${skipped.length} skipped)` : ''}, summary only, KV blocks: ${s.kvSource}`;
  return { json, traces: [], describe };
}

const rateOrder = (j: Json) => (typeof j.request_rate === 'number' ? j.request_rate : Infinity);
