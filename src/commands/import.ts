import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Command, Option } from 'commander';
import { loadHardwareConfig, lookupGpu, unknownGpuMessage } from '../config/hardware-config.ts';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { parseGroundTruth } from '../groundtruth/load.ts';
import { parseTraceRows } from '../groundtruth/trace-file.ts';
import type { ImportContext } from '../import/context.ts';
import { importBundle } from '../import/index.ts';
import { mergeGroundTruth, traceCsv } from '../import/output.ts';
import { FORMATS, type Format, type ImportedExperiment } from '../import/types.ts';
import { resolveData } from '../paths.ts';
import { fileEntry, readBundle } from './import-files.ts';
import { attachModelConfigs } from './import-model-config.ts';

interface ImportOptions {
  format: Format | 'auto';
  out: string;
  append: boolean;
  replace: boolean;
  model?: string;
  hardware?: string;
  hardwareConfig: string;
  tp?: string;
  totalKvBlocks?: string;
  name?: string;
  vllmLog?: string;
  vllmVersion?: string;
  asyncScheduling?: 'on' | 'off';
  summaryOnly: boolean;
  modelConfig: string[];
}

/** `blis-eval import`: benchmark-client outputs → a ground-truth file (docs/import/). */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'turn benchmark-client outputs (inference-perf, vllm bench saved or printed, guidellm, AIPerf, BLIS traces, LMBench CSVs) into ground truth',
    )
    .argument('<path...>', 'run folders, report files, console logs or trace headers')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', ...FORMATS]).default('auto'))
    .requiredOption('--out <file>', 'ground-truth JSON to write')
    .option('--append', 'add the experiments to an existing --out file', false)
    .option('--replace', 'with --append: overwrite experiments of the same name', false)
    .option('--model <id>', 'HF model id, when the files do not say (or to override them)')
    .option('--hardware <gpu>', 'GPU of the hardware config, by any of its names (the files rarely say)')
    .option(
      '--hardware-config <file>',
      'hardware config --hardware must name a GPU of',
      'hardware_config.json',
    )
    .option('--tp <n>', 'tensor parallelism, when the files do not say')
    .option('--total-kv-blocks <n>', 'GPU KV blocks, when no vLLM log states the KV cache size')
    .option('--vllm-log <file>', 'the vLLM server log of the run (KV cache size, non-default args)')
    .option(
      '--vllm-version <version>',
      "vLLM version of the server, when no log says (also picks vLLM's default batch limits for the GPU)",
    )
    .addOption(
      new Option(
        '--async-scheduling <on|off>',
        'whether the server scheduled asynchronously, when no file says (else its vLLM version decides: on from 0.14)',
      ).choices(['on', 'off']),
    )
    .option('--name <experiment>', 'experiment name (suffixed -1, -2, … when a path holds several)')
    .option('--summary-only', 'ignore per-request data: replay each run from its summary', false)
    .option(
      '--model-config <[model=]path>',
      "the served model's HF config.json (or its folder), copied beside --out and named by the experiments (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .action((paths: string[], o: ImportOptions, cmd: Command) =>
      runImport(paths, o, cmd.getOptionValueSource('hardwareConfig') === 'default'),
    );
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${flag} must be an integer >= 1, got '${v}'`);
  return n;
}

/**
 * The hardware config's name of the GPU `--hardware` names: an unknown or ambiguous GPU is
 * refused here, not when the ground truth is first evaluated.
 */
function gpuOf(o: ImportOptions, defaultConfig: boolean): { key: string; memoryGiB?: number } | undefined {
  if (o.hardware === undefined) return undefined;
  const cfg = loadHardwareConfig(resolveData(o.hardwareConfig, defaultConfig));
  const gpu = lookupGpu(cfg, o.hardware);
  if (!gpu) throw new InputError(`--hardware: ${cfg.source}: ${unknownGpuMessage(cfg, o.hardware)}`);
  return { key: gpu.key, ...(gpu.MemoryGiB !== undefined ? { memoryGiB: gpu.MemoryGiB } : {}) };
}

function runImport(paths: string[], o: ImportOptions, defaultConfig: boolean): void {
  const out = resolve(o.out);
  if (o.replace && !o.append) throw new InputError('--replace needs --append');
  if (!o.append && existsSync(out)) throw new InputError(`${o.out}: exists; pass --append to add to it`);
  const tp = positiveInt('tp', o.tp);
  const kv = positiveInt('total-kv-blocks', o.totalKvBlocks);
  const gpu = gpuOf(o, defaultConfig);
  const ctx: ImportContext = {
    flags: {
      summaryOnly: o.summaryOnly,
      ...(o.model !== undefined ? { model: o.model } : {}),
      ...(gpu !== undefined ? { hardware: gpu.key } : {}),
      ...(gpu?.memoryGiB !== undefined ? { gpuMemoryGiB: gpu.memoryGiB } : {}),
      ...(o.vllmVersion !== undefined ? { vllmVersion: o.vllmVersion } : {}),
      ...(o.asyncScheduling !== undefined ? { asyncScheduling: o.asyncScheduling === 'on' } : {}),
      ...(tp !== undefined ? { tp } : {}),
      ...(kv !== undefined ? { totalKvBlocks: kv } : {}),
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.vllmLog !== undefined ? { vllmLog: fileEntry(resolve(o.vllmLog), basename(o.vllmLog)) } : {}),
    },
    traceDir: `${basename(out).replace(/\.json$/i, '')}.traces`,
  };
  const imported: { format: Format; x: ImportedExperiment }[] = [];
  for (const p of paths) {
    const r = importBundle(readBundle(p), o.format, ctx);
    for (const x of r.experiments) imported.push({ format: r.format, x });
  }
  const configs = attachModelConfigs(
    imported.map((i) => i.x),
    o.modelConfig,
    out,
  );
  const existing = o.append && existsSync(out) ? readExisting(out) : undefined;
  const doc = mergeGroundTruth(
    existing,
    imported.map((i) => i.x),
    { append: o.append, replace: o.replace, outPath: o.out },
  );
  // Check the whole document (schema, replay, traces) before anything is written.
  const csv = new Map(imported.flatMap((i) => i.x.traces.map((t) => [t.ref, traceCsv(t.rows)] as const)));
  parseGroundTruth(doc, out, 'executed', (ref) => {
    const text = csv.get(ref);
    return text === undefined ? undefined : parseTraceRows(text, ref);
  });
  for (const [ref, text] of csv) writeFileAtomic(resolve(dirname(out), ref), gzipSync(text, { level: 9 }));
  for (const [ref, text] of configs) writeFileAtomic(resolve(dirname(out), ref), text);
  writeFileAtomic(out, `${JSON.stringify(doc, null, 2)}\n`);
  for (const { format, x } of imported) {
    process.stdout.write(`${String(x.json.experiment_name)}: ${format}, ${x.describe}\n`);
  }
  const traces = imported.reduce((n, i) => n + i.x.traces.length, 0);
  process.stdout.write(
    `wrote ${relative(process.cwd(), out) || out}: ${imported.length} experiments imported${traces ? `, ${traces} traces in ${ctx.traceDir}/` : ''}\n`,
  );
}

function readExisting(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
