/**
 * Shared shapes of the importer (`blis-eval import`): the files one path argument holds,
 * the facts read from them with where each came from, and per-request records.
 * Everything here is plain data; the command reads files and writes results.
 */

/** One file of an import path: its name as provenance shows it, and its text on demand. */
export interface ImportFile {
  /** Path relative to the imported path's parent (`run-dir/results/config.yaml`). */
  rel: string;
  text(): string;
}

/** One path argument: a run folder or a single report file. */
export interface Bundle {
  /** Folder or file name of the argument, the default experiment name. */
  name: string;
  files: ImportFile[];
  /** A single-file argument: a file of the given name beside it (a trace's data beside its header). */
  beside?(name: string): ImportFile | undefined;
}

/** Where an imported value came from (file and key), or the flag that supplied it. */
export interface SourceRef {
  field: string;
  file?: string;
  key?: string;
  flag?: string;
  note?: string;
}

/** A value and its source. */
export interface Fact<T> {
  value: T;
  file?: string;
  key?: string;
  flag?: string;
  note?: string;
  /** vLLM's default, inferred from its absence among the server's arguments: any stated value wins. */
  isDefault?: boolean;
}

/** What the vLLM server ran, as far as the files (and flags) say. */
export interface ServerFacts {
  model?: Fact<string>;
  hardware?: Fact<string>;
  tp?: Fact<number>;
  maxNumSeqs?: Fact<number>;
  maxNumBatchedTokens?: Fact<number>;
  maxModelLen?: Fact<number>;
  gpuMemoryUtilization?: Fact<number>;
  blockSize?: Fact<number>;
  /** "GPU KV cache size: N tokens". */
  kvTokens?: Fact<number>;
  totalKvBlocks?: Fact<number>;
  vllmVersion?: Fact<string>;
  precision?: Fact<string>;
  chunkedPrefill?: Fact<boolean>;
  prefixCaching?: Fact<boolean>;
  /** `--async-scheduling` / `--no-async-scheduling` (unstated: the version's default). */
  asyncScheduling?: Fact<boolean>;
}

/** One measured request, in the units of the ground truth (s for arrivals, ms for latencies). */
export interface RequestRecord {
  /** Send time in seconds on the client's clock (any origin). */
  startS: number;
  inputTokens: number;
  outputTokens: number;
  ttftMs: number | null;
  e2eMs: number | null;
  ok: boolean;
  stage?: number;
}

/** The user's flags; each fills a field the files leave out (and wins over them). */
export interface ImportFlags {
  model?: string;
  hardware?: string;
  tp?: number;
  totalKvBlocks?: number;
  name?: string;
  /** Replay from the summary only: per-request data is not kept. */
  summaryOnly: boolean;
  /** A vLLM server log given on the command line. */
  vllmLog?: ImportFile;
  /** The vLLM version the run used (`--vllm-version`), when no log says. */
  vllmVersion?: string;
  /** Whether the server scheduled asynchronously (`--async-scheduling on|off`), when no file says. */
  asyncScheduling?: boolean;
  /** The `--hardware` GPU's memory, for vLLM's GPU-dependent defaults. */
  gpuMemoryGiB?: number;
}

/** A trace an experiment references; written beside the ground-truth file. */
export interface TraceOut {
  /** Path as written in the ground truth (relative to it). */
  ref: string;
  rows: RequestRecord[];
}

/** One experiment ready for the ground-truth file, with the traces it references. */
export interface ImportedExperiment {
  json: Record<string, unknown>;
  traces: TraceOut[];
  /** One line for the command's report (stages, per-request or not, KV source). */
  describe: string;
}

export const FORMATS = [
  'inference-perf',
  'vllm-bench',
  'guidellm',
  'aiperf',
  'blis-trace',
  'vllm-bench-text',
  'lmbench',
] as const;
export type Format = (typeof FORMATS)[number];
