import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatZodError } from '../config/zod-error.ts';
import { InputError } from '../errors.ts';
import { absPercentError } from '../eval/error-math.ts';
import { METRICS, type Metric } from '../groundtruth/experiment.ts';
import {
  HISTORY_SCHEMA_VERSION,
  type HistoryRecord,
  historyRecordSchema,
  type InputName,
  type MetricRecord,
  type ModelRecord,
  metricRecordSchema,
  modelRecordSchema,
  type PointRecord,
  pointRecordSchema,
} from './schema.ts';

/** The parts of an evaluator run a record is built from: an EvalRun, or a parsed results.json. */
export interface RecordSource {
  tool: { version: string };
  runId: string;
  createdAt: string;
  options: HistoryRecord['options'];
  inputs: Record<InputName, { path: string; sha256: string }>;
  points: readonly (PointRecord & {
    measured?: Partial<Record<string, number>> | undefined;
    predicted?: Partial<Record<string, number>> | undefined;
  })[];
  stats: { models: readonly (Omit<ModelRecord, 'metrics'> & { metrics: readonly MetricRecord[] })[] };
}

export interface RecordExtras {
  commit?: string | undefined;
  report?: string | undefined;
}

/**
 * The history record of a run: its provenance, per latency model and metric the MAPE, median
 * APE, bias, CI and counts, and every point's status. Fields are copied in a fixed order, so two
 * runs on the same inputs serialise to the same line apart from the timestamp (and report).
 */
export function buildRecord(run: RecordSource, extras: RecordExtras = {}): HistoryRecord {
  return {
    schema: HISTORY_SCHEMA_VERSION,
    timestamp: run.createdAt,
    tool: { name: 'blis-eval', version: run.tool.version },
    ...(extras.commit !== undefined && { commit: extras.commit }),
    runId: run.runId,
    ...(extras.report !== undefined && { report: extras.report }),
    options: {
      latencyModels: [...run.options.latencyModels],
      seeds: run.options.seeds,
      workloadForm: run.options.workloadForm,
      ...(run.options.kvLeak !== undefined && { kvLeak: run.options.kvLeak }),
      timeoutS: run.options.timeoutS,
    },
    inputs: {
      groundTruth: { ...run.inputs.groundTruth },
      hardwareConfig: { ...run.inputs.hardwareConfig },
      benchData: { ...run.inputs.benchData },
      modelConfigs: { ...run.inputs.modelConfigs },
      coefficients: { ...run.inputs.coefficients },
    },
    models: run.stats.models.map((m) => ({
      latencyModel: m.latencyModel,
      counts: { ok: m.counts.ok, notApplicable: m.counts.notApplicable, failed: m.counts.failed },
      metrics: m.metrics.map((s) => ({
        metric: s.metric,
        n: s.n,
        mape: s.mape,
        medianApe: s.medianApe,
        meanPe: s.meanPe,
        ci95: s.ci95 === null ? null : [s.ci95[0], s.ci95[1]],
      })),
    })),
    points: run.points.map((p) => ({
      experiment: p.experiment,
      point: p.point,
      latencyModel: p.latencyModel,
      seed: p.seed,
      status: p.status,
      ...(p.status === 'ok' && p.measured !== undefined && { apes: apesOf(p.measured, p.predicted) }),
    })),
  };
}

/** APE per measured metric with a prediction. */
function apesOf(measured: Partial<Record<string, number>>, predicted?: Partial<Record<string, number>>) {
  const out: Partial<Record<Metric, number>> = {};
  for (const m of METRICS) {
    const meas = measured[m];
    const pred = predicted?.[m];
    const ape = meas === undefined || pred === undefined ? null : absPercentError(pred, meas);
    if (ape !== null) out[m] = ape;
  }
  return out;
}

// A results.json is read loosely: only the fields a record needs are checked, the rest is ignored.
const inputVersion = z.looseObject({ path: z.string(), sha256: z.string() });
const resultsSchema = z.looseObject({
  tool: z.looseObject({ name: z.literal('blis-eval'), version: z.string() }),
  runId: z.string(),
  createdAt: z.iso.datetime(),
  complete: z.boolean(),
  options: historyRecordSchema.shape.options,
  inputs: z.looseObject({
    groundTruth: inputVersion,
    hardwareConfig: inputVersion,
    benchData: inputVersion,
    modelConfigs: inputVersion,
    coefficients: inputVersion,
  }),
  points: z.array(
    pointRecordSchema
      .extend({
        measured: z.record(z.string(), z.number()).optional(),
        predicted: z.record(z.string(), z.number()).optional(),
      })
      .loose(),
  ),
  stats: z.looseObject({
    models: z.array(modelRecordSchema.extend({ metrics: z.array(metricRecordSchema.loose()) }).loose()),
  }),
});

/**
 * `--baseline <results.json>`: an evaluator results.json turned into a record. Anything that is
 * not a complete evaluator run is bad input (exit 2), named with the file and field.
 */
export function recordFromResultsFile(path: string): HistoryRecord {
  if (!existsSync(path)) throw new InputError(`--baseline ${path}: not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`--baseline ${path}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `--baseline ${path}: not an evaluator results.json\n${formatZodError(path, parsed.error)}`,
    );
  }
  if (!parsed.data.complete) {
    throw new InputError(`--baseline ${path}: an interrupted (incomplete) run cannot be a baseline`);
  }
  // The loose parse keeps extra fields; buildRecord copies only the record's own.
  return buildRecord(parsed.data);
}
