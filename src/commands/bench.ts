import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { externalGpus, loadExternalBenchData, readTree, writeTree } from '../config/bench-data.ts';
import { sameGpu } from '../config/gpu-names.ts';
import { InputError } from '../errors.ts';
import {
  type ExternalLayout,
  type ParsedLayout,
  PROJECT_GEMM,
  parseProjectLayout,
  serializeProjectLayout,
} from '../mfu/layouts.ts';
import { type BenchReport, validateBenchData } from '../mfu/validate.ts';

/**
 * `blis-eval bench import` converts measured MFU tables (BLIS or InferSim layout) into the
 * project layout `bench_data/<gpu>/`; `blis-eval bench validate` checks such a folder.
 */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('MFU benchmark tables used by roofline-v2');
  bench
    .command('import')
    .description('convert measured MFU tables into bench_data/<gpu>/ (the project layout)')
    .requiredOption('--from <dir>', 'root of the measured tables (holds gemm/<gpu>/ and mha/)')
    .addOption(
      new Option('--layout <layout>', 'layout of --from').choices(['blis', 'infersim']).makeOptionMandatory(),
    )
    .requiredOption('--gpu <name>', 'GPU folder to import (case-insensitive, e.g. H100)')
    .option('--out <dir>', 'bench-data root to write into', 'bench_data')
    .option('--force', 'replace an existing bench_data/<gpu>/ folder', false)
    .action((opts: ImportOptions) => {
      process.stdout.write(importBench(opts));
    });
  bench
    .command('validate')
    .description('check bench_data/ (every GPU) or one bench_data/<gpu>/ folder')
    .argument('<dir>', 'bench-data root or one GPU folder')
    .option('--gpu <name>', 'only this GPU when <dir> holds several')
    .action((dir: string, opts: { gpu?: string }) => {
      const { text, errors } = validateDir(dir, opts.gpu);
      process.stdout.write(text);
      if (errors > 0) throw new InputError(`bench validate: ${errors} error(s) in ${dir}`);
    });
}

export interface ImportOptions {
  readonly from: string;
  readonly layout: ExternalLayout;
  readonly gpu: string;
  readonly out: string;
  readonly force?: boolean;
}

/** Converts, writes and re-validates one GPU's tables; returns the report text. */
export function importBench(opts: ImportOptions): string {
  const warnings: string[] = [];
  const loaded = loadExternalBenchData(opts.from, opts.gpu, opts.layout, { warn: (m) => warnings.push(m) });
  const gpuDir = opts.gpu.toLowerCase();
  const target = join(opts.out, gpuDir);
  if (existsSync(target)) {
    if (!opts.force) throw new InputError(`${target} already exists (use --force to replace it)`);
    rmSync(target, { recursive: true });
  }
  const files = serializeProjectLayout(loaded.data);
  const report = validateBenchData(parseProjectLayout(files, target));
  if (report.errors.length > 0) {
    throw new InputError(`bench import: converted tables are invalid:\n  ${report.errors.join('\n  ')}`);
  }
  const source = [
    `# ${gpuDir}: imported MFU tables`,
    '',
    `Converted by \`blis-eval bench import --from ${opts.from} --layout ${opts.layout} --gpu ${opts.gpu}\`.`,
    opts.layout === 'infersim'
      ? 'InferSim decode tables carry no TP; they are written as TP 1 (nearest-TP lookup serves every TP).'
      : 'BLIS decode tables keep their TP (`-tp<N>.csv` → `mha_decode_fp16_tp<N>.csv`).',
    'Only 16-bit rows are kept (dtype/kv_dtype bf16 or fp16); MFU values are copied unchanged.',
    '',
    '## Contents',
    '',
    ...report.summary.map((s) => `- ${s}`),
    ...(warnings.length > 0
      ? ['', '## Notes from the conversion', '', ...warnings.map((w) => `- ${w}`)]
      : []),
    '',
  ].join('\n');
  writeTree(target, [...files, { path: 'SOURCE.md', text: source }]);
  // Read back what was written: the folder must load exactly as converted.
  const back = parseProjectLayout(readTree(target), target);
  if (back.data.gemm.points.length !== loaded.data.gemm.points.length) {
    throw new Error(`bench import: ${target} did not read back identically`);
  }
  return `${formatReport(target, report)}${warnings.map((w) => `  note: ${w}\n`).join('')}wrote ${files.length} tables to ${target}\n`;
}

function formatReport(label: string, r: BenchReport): string {
  const status = r.errors.length > 0 ? `${r.errors.length} error(s)` : 'OK';
  const lines = [`${label}: ${status}${r.warnings.length > 0 ? `, ${r.warnings.length} warning(s)` : ''}`];
  for (const s of r.summary) lines.push(`  ${s}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const e of r.errors) lines.push(`  error: ${e}`);
  return `${lines.join('\n')}\n`;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Validates one GPU folder or every GPU folder of a root; returns the text and error count. */
export function validateDir(dir: string, gpu?: string): { text: string; errors: number } {
  if (!isDir(dir)) throw new InputError(`bench validate: ${dir} is not a directory`);
  let folders: string[];
  if (existsSync(join(dir, PROJECT_GEMM))) folders = [dir];
  else {
    folders = readdirSync(dir)
      .sort()
      .filter((e) => isDir(join(dir, e)) && existsSync(join(dir, e, 'gemm_bench')))
      .filter((e) => gpu === undefined || sameGpu(e, gpu))
      .map((e) => join(dir, e));
  }
  if (folders.length === 0) {
    const ext = externalGpus(dir);
    const hint =
      ext.length > 0 ? ` (looks like a BLIS/InferSim layout for ${ext.join(', ')}: use bench import)` : '';
    throw new InputError(
      `bench validate: no ${PROJECT_GEMM} under ${dir}${gpu ? ` for GPU ${gpu}` : ''}${hint}`,
    );
  }
  let text = '';
  let errors = 0;
  for (const folder of folders) {
    let report: BenchReport;
    try {
      const parsed: ParsedLayout = parseProjectLayout(readTree(folder), folder);
      report = validateBenchData(parsed);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      report = { errors: [err.message], warnings: [], summary: [] };
    }
    errors += report.errors.length;
    text += formatReport(folder, report);
  }
  return { text, errors };
}
