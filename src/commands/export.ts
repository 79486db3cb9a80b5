import { existsSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type Command, Option } from 'commander';
import { loadDefaults } from '../config/coefficients.ts';
import { loadHardwareConfig } from '../config/hardware-config.ts';
import { EXIT, InputError } from '../errors.ts';
import type { RooflineKind } from '../export/fields.ts';
import { measureExport } from '../export/session.ts';
import {
  buildExport,
  EXPORT_TARGETS,
  type ExportTarget,
  latencyModelOf,
  readsCoefficients,
} from '../export/targets.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { fileStamp, resolveData, VERSION } from '../paths.ts';
import { renderExportSummary } from '../report/export-summary.ts';
import { replaceFileSafely } from '../tune/writeback.ts';
import { runWithConsole } from './console-run.ts';
import { addInputOptions, parseInputOptions } from './eval-options.ts';

const DEFAULT_GROUND_TRUTH = 'eval/combined_ground_truth.json';
const KINDS: readonly RooflineKind[] = ['roofline-v1', 'roofline-v2'];

/** `blis-eval export`: a calibration in the files BLIS loads, and what BLIS will not compute. */
export function registerExport(program: Command): void {
  addInputOptions(
    program
      .command('export')
      .description(
        "write a calibration as BLIS's own files; stderr lists what BLIS cannot represent and its cost",
      )
      .addOption(
        new Option('--for <target>', 'what BLIS reads').choices(EXPORT_TARGETS).makeOptionMandatory(),
      )
      .addOption(
        new Option('--latency-model <model>', 'blis-v0.6.1-roofline: v1 (v0.6.1) or v2 (its roofline branch)')
          .choices(KINDS)
          .default('roofline-v2'),
      )
      .option('--out <file>', 'write the export here (atomically) instead of stdout')
      .option('--force', 'replace an existing --out file (kept as <file>.bak-<time>)', false)
      .option(
        '--no-measure',
        'skip the accuracy of the exported model against the full one (two evaluator runs)',
      ),
    DEFAULT_GROUND_TRUTH,
  ).action(async (raw: Record<string, unknown>, command: Command) => {
    process.exitCode = await exportAction(raw, (f) => command.getOptionValueSource(f) === 'cli');
  });
}

async function exportAction(raw: Record<string, unknown>, given: (flag: string) => boolean): Promise<number> {
  const target = raw.for as ExportTarget;
  if (given('latencyModel') && target !== 'blis-v0.6.1-roofline') {
    throw new InputError('--latency-model applies to --for blis-v0.6.1-roofline only');
  }
  const kind = raw.latencyModel as RooflineKind;
  const groundTruth = resolveData(String(raw.groundTruth), !given('groundTruth'));
  const s = parseInputOptions({ ...raw, groundTruth }, given);
  const out = typeof raw.out === 'string' ? raw.out : null;
  if (out !== null && existsSync(out) && raw.force !== true) {
    throw new InputError(`${out}: exists; --force replaces it (the old file is kept as ${out}.bak-<time>)`);
  }
  const source = readsCoefficients(target) ? s.coefficients : s.hardwareConfig;
  const shown = relative(process.cwd(), source) || source;
  const loaded = readsCoefficients(target)
    ? { defaults: loadDefaults(source) }
    : { hardware: loadHardwareConfig(source) };
  const result = buildExport(
    target,
    kind,
    loaded,
    `exported by blis-eval ${VERSION} from ${shown} (--for ${target})`,
  );
  const model = latencyModelOf(target, kind);
  const accuracy =
    raw.measure === false
      ? null
      : await runWithConsole({ label: 'simulating', quiet: s.quiet }, (hooks) =>
          measureExport(s, model, result.subset, hooks),
        );
  const headline = `${target}${target === 'blis-v0.6.1-roofline' ? ` (${kind})` : ''} from ${shown} -> ${out ?? 'stdout'}`;
  const summary = renderExportSummary({
    ...result,
    headline,
    gpus: loaded.hardware?.gpus.map((g) => g.key) ?? [],
    accuracy,
  });
  if (accuracy !== null && !accuracy.complete) {
    process.stderr.write(`${summary}nothing written (interrupted)\n`);
    return EXIT.interrupted;
  }
  if (out === null) writeFileSync(1, result.text);
  else if (existsSync(out)) replaceFileSafely(out, result.text, fileStamp());
  else writeFileAtomic(out, result.text);
  process.stderr.write(summary);
  return EXIT.ok;
}
