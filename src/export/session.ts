import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runEvaluation } from '../eval/session.ts';
import type { InputSettings } from '../eval/settings.ts';
import type { EvalRun } from '../eval/types.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { ACCURACY_METRICS, type ModelAccuracy, type SubsetAccuracy, type SubsetInputs } from './types.ts';

export interface MeasureHooks {
  readonly signal: AbortSignal;
  readonly onStart?: (jobs: number, label: string) => void;
  readonly onJobDone?: () => void;
  readonly onWarning?: (message: string) => void;
}

/**
 * The evaluator's accuracy of one latency model on a ground truth, with the user's inputs
 * (the full model) and with the exported subset's hardware config in place of the user's
 * (what BLIS computes from the export). Both are ordinary evaluator sessions; the subset's
 * config is written to a temporary folder, removed afterwards.
 */
export async function measureExport(
  s: InputSettings,
  latencyModel: LatencyModelName,
  subset: SubsetInputs | null,
  hooks: MeasureHooks,
): Promise<SubsetAccuracy> {
  const run = (settings: InputSettings, label: string, warn: boolean) =>
    runEvaluation(
      {
        ...settings,
        latencyModels: [latencyModel],
        seeds: 1,
        metrics: [...ACCURACY_METRICS],
        includeFailing: false,
      },
      {
        signal: hooks.signal,
        ...(hooks.onStart && { onStart: (n: number) => hooks.onStart?.(n, label) }),
        ...(hooks.onJobDone && { onJobDone: hooks.onJobDone }),
        ...(warn && hooks.onWarning && { onWarning: hooks.onWarning }),
      },
    );
  const full = await run(s, 'full model', true);
  const base = { groundTruth: relative(process.cwd(), s.groundTruth), latencyModel, full: accuracy(full) };
  if (subset === null || !full.complete) return { ...base, exported: null, complete: full.complete };
  const dir = mkdtempSync(join(tmpdir(), 'blis-eval-export-'));
  try {
    const swapped = { ...s, hardwareConfig: join(dir, 'hardware_config.json') };
    writeFileSync(swapped.hardwareConfig, subset.hardwareConfig);
    // Same tables and configs as the full run: its warnings were shown already.
    const exported = await run(swapped, 'exported model', false);
    return { ...base, exported: accuracy(exported), complete: exported.complete };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function accuracy(run: EvalRun): ModelAccuracy {
  const stats = run.stats.models[0];
  const counts = stats?.counts ?? { ok: 0, notApplicable: 0, failed: 0 };
  const metrics = ACCURACY_METRICS.flatMap((metric) => {
    const m = stats?.metrics.find((x) => x.metric === metric);
    return m ? [{ metric, n: m.n, mape: m.mape }] : [];
  });
  return { counts, metrics };
}
