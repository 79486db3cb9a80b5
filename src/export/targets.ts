import type { DefaultsFile } from '../config/coefficients.ts';
import type { HardwareConfig } from '../config/hardware-config.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { defaultsExport } from './defaults.ts';
import type { RooflineKind } from './fields.ts';
import { renderDefaultsFile } from './render-defaults.ts';
import { renderRooflineFile } from './render-roofline.ts';
import { renderTrainedPhysicsFile } from './render-trained-physics.ts';
import { rooflineExport } from './roofline.ts';
import { trainedPhysicsExport } from './trained-physics.ts';
import type { ExportResult } from './types.ts';

export const EXPORT_TARGETS = ['blis-v0.6.1-roofline', 'blis-defaults', 'blis-trained-physics'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** The file a target reads: the blackbox coefficient table, or a hardware config. */
export interface ExportSource {
  readonly hardware?: HardwareConfig;
  readonly defaults?: DefaultsFile;
}

export const readsCoefficients = (t: ExportTarget): boolean => t === 'blis-defaults';

/** The latency model of ours that a target's export comes from. */
export function latencyModelOf(t: ExportTarget, kind: RooflineKind): LatencyModelName {
  if (t === 'blis-defaults') return 'blackbox';
  if (t === 'blis-trained-physics') return 'trained-physics';
  return kind;
}

/**
 * The export for one target: the file's text, what it leaves out or carries in flags, and
 * the inputs of the model BLIS computes from it (for the evaluator to measure).
 */
export function buildExport(
  target: ExportTarget,
  kind: RooflineKind,
  src: ExportSource,
  header: string,
): ExportResult {
  if (target === 'blis-defaults') {
    const x = defaultsExport(given(src.defaults));
    return { ...x, text: renderDefaultsFile(x, header), subset: null };
  }
  if (target === 'blis-trained-physics') {
    const x = trainedPhysicsExport(given(src.hardware));
    return { ...x, text: renderTrainedPhysicsFile(x, header), subset: null };
  }
  const x = rooflineExport(given(src.hardware), kind);
  const subset = x.subset && { hardwareConfig: `${JSON.stringify(x.subset, null, 2)}\n` };
  return { ...x, text: renderRooflineFile(x.entries), subset };
}

function given<T>(v: T | undefined): T {
  if (v === undefined) throw new Error("export: the target's input file was not loaded");
  return v;
}
