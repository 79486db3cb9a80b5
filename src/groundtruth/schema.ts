import { z } from 'zod';
import type { Metric } from './experiment.ts';

/**
 * The ground-truth file as users have it (docs/ground-truth.md): the BLIS evaluator's
 * `combined_ground_truth.json` (distribution `qps_sweeps`), staged inference-perf
 * experiments (`stages[]` + `summary`) and trace-replay points. Objects are loose: unknown
 * fields are kept and ignored. Nullable fields are derived later (KV blocks, model length).
 */
const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const positive = finite.refine((v) => v > 0, 'must be > 0');
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
/**
 * A measured latency: a positive number, or null when it was not recorded. 0 or less is
 * no measurement a server can make, and would silently drop out of every error figure.
 */
const measuredMs = finite
  .refine((v) => v > 0, 'must be > 0 (a measured latency; use null when it was not recorded)')
  .nullable()
  .optional();

/** Measured metric fields, in ms, as the three shapes name them. */
export const MEASURED_FIELDS = {
  ttft_mean: 'ttft_mean_ms',
  ttft_p50: 'ttft_p50_ms',
  ttft_p90: 'ttft_p90_ms',
  ttft_p99: 'ttft_p99_ms',
  itl_mean: 'itl_mean_ms',
  e2e_mean: 'e2e_mean_ms',
  e2e_p50: 'e2e_p50_ms',
  e2e_p90: 'e2e_p90_ms',
  e2e_p99: 'e2e_p99_ms',
} as const satisfies Record<Metric, string>;

const measuredShape = Object.fromEntries(Object.values(MEASURED_FIELDS).map((f) => [f, measuredMs])) as {
  [K in (typeof MEASURED_FIELDS)[keyof typeof MEASURED_FIELDS]]: typeof measuredMs;
};

const nonNegative = finite.refine((v) => v >= 0, 'must be >= 0');

/** What the load generator reports about the point's requests (the replay is checked against it). */
const workloadShape = {
  num_requests: nonNegativeInt.nullable().optional(),
  num_failures: nonNegativeInt.nullable().optional(),
  num_sent: nonNegativeInt.nullable().optional(),
  throughput: z
    .looseObject({
      requests_per_sec: nonNegative.nullable().optional(),
      input_tokens_per_sec: nonNegative.nullable().optional(),
      output_tokens_per_sec: nonNegative.nullable().optional(),
    })
    .nullable()
    .optional(),
};

export const measuredSchema = z.looseObject({ ...measuredShape, ...workloadShape });

/** `measured_token_stats.prompt_len` / `.output_len`: the lengths the run actually had. */
const lengthStatsSchema = z.looseObject({
  mean: nonNegative,
  min: nonNegative,
  p10: nonNegative,
  median: nonNegative,
  p90: nonNegative,
  max: nonNegative,
});

const distributionDataSchema = z.looseObject({
  prefix_tokens: nonNegativeInt.default(0),
  prompt_tokens: positiveInt,
  prompt_tokens_stdev: finite.refine((v) => v >= 0, 'must be >= 0'),
  prompt_tokens_min: positiveInt,
  prompt_tokens_max: positiveInt,
  output_tokens: positiveInt,
  output_tokens_stdev: finite.refine((v) => v >= 0, 'must be >= 0'),
  output_tokens_min: positiveInt,
  output_tokens_max: positiveInt,
});

/** The client's limit on requests in flight (a closed loop); null or absent: none. */
const maxConcurrency = positiveInt.nullable().optional();

const qpsPointSchema = measuredSchema.extend({
  qps: positive.optional(),
  /** The rate the client was asked for: a number paces a closed loop's sends; "inf" or null: none. */
  requested_rate: z
    .union([positive, z.literal('inf')])
    .nullable()
    .optional(),
  max_concurrency: maxConcurrency,
  /** A per-request trace (CSV, or .csv.gz: arrival seconds, input tokens, output tokens), relative to the file. */
  trace: z.string().min(1).optional(),
  /** The point's own distribution and request count (an imported run replayed from its summary). */
  data: distributionDataSchema.optional(),
  num_requests: nonNegativeInt.optional(),
});

const stageSchema = measuredSchema.extend({
  stage_index: z.number().int().optional(),
  rate: positive.optional(),
  duration_s: positive.optional(),
});

const vllmConfigSchema = z.looseObject({
  tensor_parallelism: positiveInt,
  data_parallelism: positiveInt.nullable().optional(),
  max_num_seqs: positiveInt.nullable().optional(),
  max_num_batched_tokens: positiveInt.nullable().optional(),
  max_model_len: positiveInt.nullable().optional(),
  gpu_memory_utilization: positive
    .refine((v) => v <= 1, 'must be <= 1')
    .nullable()
    .optional(),
  vllm_version: z.string().nullable().optional(),
  /** vLLM's switches as the files state them (null: not stated; the simulator then keeps both on). */
  enable_chunked_prefill: z.boolean().nullable().optional(),
  enable_prefix_caching: z.boolean().nullable().optional(),
  /** `--async-scheduling` / `--no-async-scheduling` as stated (null: not stated; the version's default applies). */
  async_scheduling: z.boolean().nullable().optional(),
});

const workloadConfigSchema = z.looseObject({
  type: z.string().optional(),
  workload_family: z.string().optional(),
  max_requests: positiveInt.optional(),
  num_requests: positiveInt.optional(),
  seed: z.number().int().optional(),
  data: distributionDataSchema.optional(),
  /** The profile: validated by the workload-spec expansion when it is replayed. */
  inference_perf: z.unknown().optional(),
  /** What inference-perf executed: validated when it is replayed. */
  resolved_by_inference_perf: z.unknown().optional(),
  /** A staged experiment's exact request stream (CSV with a `stage` column), relative to the file. */
  trace: z.string().min(1).optional(),
  /** Every point's client limit unless the point states its own (inference-perf's workers × their limit). */
  max_concurrency: maxConcurrency,
  /** The client's request options; `ignore_eos` says the server generated every output token. */
  api: z.looseObject({ ignore_eos: z.boolean().nullable().optional() }).nullable().optional(),
});

/**
 * Where values came from: the shipped set lists source files ({what, repo, path, commit});
 * `blis-eval import` lists each field's file and key, or the flag that supplied it.
 */
const provenanceSchema = z.array(
  z.looseObject({
    field: z.string().optional(),
    file: z.string().optional(),
    key: z.string().optional(),
    flag: z.string().optional(),
    note: z.string().optional(),
    what: z.string().optional(),
    path: z.string().optional(),
  }),
);

export const experimentSchema = z.looseObject({
  experiment_name: z.string().min(1),
  model: z.string().min(1),
  /** The model's HF config.json (or its folder), relative to the file; else model_configs/<name>/. */
  model_config: z.string().min(1).optional(),
  hardware: z.string().min(1).nullable().optional(),
  precision: z.string().nullable().optional(),
  vllm_config: vllmConfigSchema,
  total_kv_blocks: positiveInt.nullable().optional(),
  cpu_kv_blocks: nonNegativeInt.nullable().optional(),
  block_size: positiveInt.nullable().optional(),
  workload_config: workloadConfigSchema,
  qps_sweeps: z.array(qpsPointSchema).optional(),
  stages: z.array(stageSchema).optional(),
  summary: measuredSchema.nullable().optional(),
  provenance: provenanceSchema.optional(),
  /**
   * What the importer noticed about the run: `failure_fraction` = failed / sent requests;
   * `overloaded`: the client fell behind its requested rate or requests failed.
   */
  flags: z
    .looseObject({
      failure_fraction: nonNegative.nullable().optional(),
      overloaded: z.boolean().nullable().optional(),
    })
    .nullable()
    .optional(),
  measured_token_stats: z
    .looseObject({ prompt_len: lengthStatsSchema, output_len: lengthStatsSchema })
    .nullable()
    .optional(),
});

export const groundTruthSchema = z.looseObject({
  experiments: z.array(z.unknown()).min(1, 'needs at least one experiment'),
});

export type Measured = z.output<typeof measuredSchema>;
export type RawExperiment = z.output<typeof experimentSchema>;
export type RawQpsPoint = z.output<typeof qpsPointSchema>;
export type RawLengthStats = z.output<typeof lengthStatsSchema>;
