import { z } from 'zod';
import { METRICS } from '../groundtruth/experiment.ts';
import { WORKLOAD_FORM_OPTIONS } from '../groundtruth/normalize.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import { KV_LEAK_MODES } from '../sim/kv-cache.ts';

/**
 * One line of `history.jsonl`: what a nightly run measured, small enough to keep for years and
 * complete enough to gate on. Every line is validated with this schema when the history is read;
 * a line that fails is treated as corruption (the file is kept aside, never rewritten).
 */

/** Bumped when a field changes meaning; an older reader then reports the file, not misreads it. */
export const HISTORY_SCHEMA_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const count = z.number().int().nonnegative();
const latencyModel = z.enum(LATENCY_MODELS);

const inputSchema = z.strictObject({ path: z.string(), sha256: z.string() });

export const metricRecordSchema = z.strictObject({
  metric: z.enum(METRICS),
  n: count,
  mape: finite,
  medianApe: finite,
  /** Mean signed percentage error: + = over-prediction. */
  meanPe: finite,
  ci95: z.tuple([finite, finite]).nullable(),
});

export const modelRecordSchema = z.strictObject({
  latencyModel,
  counts: z.strictObject({ ok: count, notApplicable: count, failed: count }),
  metrics: z.array(metricRecordSchema),
});

export const pointRecordSchema = z.strictObject({
  experiment: z.string(),
  point: z.string(),
  latencyModel,
  seed: count,
  status: z.enum(['ok', 'not_applicable', 'failed']),
  /** APE per measured metric of an ok point: the paired per-point changes the gate rests on. */
  apes: z.partialRecord(z.enum(METRICS), finite).optional(),
});

export const historyRecordSchema = z.strictObject({
  schema: z.literal(HISTORY_SCHEMA_VERSION),
  /** ISO time of the evaluator run: the only field that differs between runs on the same inputs. */
  timestamp: z.iso.datetime(),
  tool: z.strictObject({ name: z.literal('blis-eval'), version: z.string() }),
  /** `git rev-parse HEAD` of the working directory; absent outside a git checkout. */
  commit: z.string().optional(),
  runId: z.string(),
  /** The nightly report folder of this run, as given (absent for a --baseline results.json). */
  report: z.string().optional(),
  options: z.strictObject({
    latencyModels: z.array(latencyModel),
    seeds: count,
    workloadForm: z.enum(WORKLOAD_FORM_OPTIONS),
    /** Absent in records written before the option existed (they simulated v0.6.1's leak). */
    kvLeak: z.enum(KV_LEAK_MODES).optional(),
    timeoutS: finite,
  }),
  inputs: z.strictObject({
    groundTruth: inputSchema,
    hardwareConfig: inputSchema,
    benchData: inputSchema,
    modelConfigs: inputSchema,
    coefficients: inputSchema,
  }),
  models: z.array(modelRecordSchema),
  points: z.array(pointRecordSchema),
  /**
   * Whether this run passed the gate (or was accepted with --accept-baseline): the next night
   * compares with the last record that passed, so a regression stays caught until it is fixed
   * or accepted. Absent in older records, which count as passed.
   */
  passed: z.boolean().optional(),
  /** Set when --accept-baseline made a failing run the new baseline. */
  accepted: z.literal(true).optional(),
});

export type MetricRecord = z.infer<typeof metricRecordSchema>;
export type ModelRecord = z.infer<typeof modelRecordSchema>;
export type PointRecord = z.infer<typeof pointRecordSchema>;
export type HistoryRecord = z.infer<typeof historyRecordSchema>;
export type InputName = keyof HistoryRecord['inputs'];

/** Input names in report order, with the labels the evaluator's reports use. */
export const INPUT_LABELS: readonly [InputName, string][] = [
  ['groundTruth', 'ground truth'],
  ['hardwareConfig', 'hardware config'],
  ['benchData', 'bench data'],
  ['modelConfigs', 'model configs'],
  ['coefficients', 'coefficients'],
];

/** The key a point is matched on between two records. */
export const pointKey = (p: PointRecord): string =>
  `${p.experiment}/${p.point}/${p.latencyModel}/seed ${p.seed}`;
