import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { clusterConfig } from '../sim/cluster-config.ts';
import { CPU_TIER_DEFAULTS } from '../sim/kv-tier.ts';

type Kind = 'int' | 'float' | 'string' | 'bool' | 'floats';
interface Flag {
  name: string;
  kind: Kind;
  def: string | number | boolean | number[];
  help: string;
  /** The default as help states it, where it depends on the latency model. */
  defaultText?: string;
}

/** The simulator's defaults are BLIS's: one source for flags, evaluator and tests. */
const BLIS = clusterConfig();

/** The 53 flags of BLIS v0.6.1 `run` (reference §13), same names and defaults, plus ours. */
export const RUN_FLAGS: readonly Flag[] = [
  { name: 'seed', kind: 'int', def: 42, help: 'random seed' },
  {
    name: 'horizon',
    kind: 'int',
    def: '9223372036854775807',
    help: 'simulation horizon in µs (MaxInt64 = none)',
  },
  { name: 'log', kind: 'string', def: 'warn', help: 'log level on stderr: debug, info, warn, error' },
  { name: 'defaults-filepath', kind: 'string', def: 'defaults.yaml', help: 'coefficient table and presets' },
  { name: 'model-config-folder', kind: 'string', def: '', help: 'HF config.json folder (turns roofline on)' },
  {
    name: 'model-config',
    kind: 'string',
    def: '',
    help: "the model's HF config.json or its folder (ours; wins over --model-config-folder, turns roofline on)",
  },
  { name: 'hardware-config', kind: 'string', def: '', help: 'hardware_config.json (turns roofline on)' },
  {
    name: 'workload',
    kind: 'string',
    def: 'distribution',
    help: 'distribution|chatbot|summarization|contentgen|multidoc|traces',
  },
  { name: 'workload-traces-filepath', kind: 'string', def: '', help: 'CSV trace for --workload traces' },
  {
    name: 'total-kv-blocks',
    kind: 'int',
    def: BLIS.totalKVBlocks,
    help: 'KV blocks per instance',
    defaultText:
      "the coefficient row's for blackbox, derived from GPU memory for roofline and trained-physics, " +
      `${BLIS.totalKVBlocks} with explicit --alpha/--beta-coeffs`,
  },
  {
    name: 'max-num-running-reqs',
    kind: 'int',
    def: BLIS.maxRunningReqs,
    help: 'max running requests per instance',
  },
  {
    name: 'max-num-scheduled-tokens',
    kind: 'int',
    def: BLIS.maxScheduledTokens,
    help: 'token budget per step',
  },
  {
    name: 'beta-coeffs',
    kind: 'floats',
    def: [0, 0, 0],
    help: 'blackbox beta (step time); trained-physics: 7-10 betas in BLIS slot order',
  },
  {
    name: 'alpha-coeffs',
    kind: 'floats',
    def: [0, 0, 0],
    help: 'blackbox alpha (queueing, output processing); trained-physics: α0, α1, α2',
  },
  { name: 'block-size-in-tokens', kind: 'int', def: BLIS.blockSize, help: 'tokens per KV block' },
  { name: 'max-model-len', kind: 'int', def: 2048, help: 'parsed but unused, as in BLIS v0.6.1' },
  { name: 'long-prefill-token-threshold', kind: 'int', def: 0, help: 'max prefill chunk (0 = off)' },
  { name: 'model', kind: 'string', def: '', help: 'model name (required)' },
  { name: 'hardware', kind: 'string', def: '', help: 'GPU name' },
  { name: 'tp', kind: 'int', def: 0, help: 'tensor parallelism' },
  { name: 'vllm-version', kind: 'string', def: '', help: 'vLLM version of the coefficient row' },
  { name: 'rate', kind: 'float', def: 1.0, help: 'requests per second' },
  { name: 'num-requests', kind: 'int', def: 100, help: 'requests to generate' },
  { name: 'prefix-tokens', kind: 'int', def: 0, help: 'shared prefix length' },
  { name: 'prompt-tokens', kind: 'int', def: 512, help: 'prompt length mean' },
  { name: 'prompt-tokens-stdev', kind: 'int', def: 256, help: 'prompt length stdev' },
  { name: 'prompt-tokens-min', kind: 'int', def: 2, help: 'prompt length min' },
  { name: 'prompt-tokens-max', kind: 'int', def: 7000, help: 'prompt length max' },
  { name: 'output-tokens', kind: 'int', def: 512, help: 'output length mean' },
  { name: 'output-tokens-stdev', kind: 'int', def: 256, help: 'output length stdev' },
  { name: 'output-tokens-min', kind: 'int', def: 2, help: 'output length min' },
  { name: 'output-tokens-max', kind: 'int', def: 7000, help: 'output length max' },
  { name: 'num-instances', kind: 'int', def: 1, help: 'instances in the cluster' },
  {
    name: 'admission-policy',
    kind: 'string',
    def: 'always-admit',
    help: 'always-admit|token-bucket|reject-all',
  },
  { name: 'admission-latency', kind: 'int', def: 0, help: 'µs' },
  { name: 'routing-latency', kind: 'int', def: 0, help: 'µs' },
  { name: 'token-bucket-capacity', kind: 'float', def: 10000.0, help: 'tokens' },
  { name: 'token-bucket-refill-rate', kind: 'float', def: 1000.0, help: 'tokens per second' },
  {
    name: 'routing-policy',
    kind: 'string',
    def: 'round-robin',
    help: 'round-robin|least-loaded|weighted|prefix-affinity|always-busiest',
  },
  { name: 'routing-scorers', kind: 'string', def: '', help: 'weighted scorers "name:w,…"' },
  { name: 'priority-policy', kind: 'string', def: 'constant', help: 'constant|slo-based|inverted-slo' },
  { name: 'scheduler', kind: 'string', def: 'fcfs', help: 'fcfs|priority-fcfs|sjf|reverse-priority' },
  { name: 'policy-config', kind: 'string', def: '', help: 'YAML policy bundle' },
  { name: 'fitness-weights', kind: 'string', def: '', help: 'fitness "metric:w,…"' },
  { name: 'trace-level', kind: 'string', def: 'none', help: 'none|decisions' },
  { name: 'counterfactual-k', kind: 'int', def: 0, help: 'counterfactual candidates per routing decision' },
  { name: 'summarize-trace', kind: 'bool', def: false, help: 'print a decision-trace summary' },
  { name: 'workload-spec', kind: 'string', def: '', help: 'workload-spec YAML (overrides --workload)' },
  { name: 'kv-cpu-blocks', kind: 'int', def: 0, help: 'CPU-tier KV blocks (0 = single tier)' },
  {
    name: 'kv-offload-threshold',
    kind: 'float',
    def: CPU_TIER_DEFAULTS.offloadThreshold,
    help: 'GPU utilisation that triggers offload',
  },
  {
    name: 'kv-transfer-bandwidth',
    kind: 'float',
    def: CPU_TIER_DEFAULTS.transferBandwidth,
    help: 'blocks per tick',
  },
  {
    name: 'kv-transfer-base-latency',
    kind: 'int',
    def: CPU_TIER_DEFAULTS.transferBaseLatency,
    help: 'µs per transfer',
  },
  {
    name: 'snapshot-refresh-interval',
    kind: 'int',
    def: 0,
    help: 'router KV snapshot refresh in µs (0 = live)',
  },
  { name: 'results-path', kind: 'string', def: '', help: 'write per-request records here' },
  // blis-eval additions.
  {
    name: 'latency-model',
    kind: 'string',
    def: '',
    help: 'force blackbox|roofline-v1|roofline-v2|trained-physics',
  },
  { name: 'bench-data-path', kind: 'string', def: '', help: 'MFU tables (turns roofline v2 on)' },
  {
    name: 'kv-leak',
    kind: 'string',
    def: BLIS.kvLeak,
    help: "v0.6.1 (BLIS v0.6.1's KV-block leak, for parity) or fixed (later releases)",
  },
  {
    name: 'gemm-fallback',
    kind: 'string',
    def: 'blis',
    help: "roofline-v2, a GEMM shape outside the MFU tables: blis (BLIS's rule, for parity) or clamp (each dimension clamped to the measured range, as the evaluator does)",
  },
  {
    name: 'attention-window',
    kind: 'string',
    def: 'blis',
    help: 'sliding-window / chunked attention: blis (every layer attends to the whole sequence, as BLIS, for parity) or model (windowed layers cost what they attend to, as the evaluator does)',
  },
];

export type FlagValue = string | number | boolean | number[];
export interface ParsedFlags {
  values: Map<string, FlagValue>;
  /** Flags the user gave explicitly (BLIS's `Changed`). */
  explicit: Set<string>;
}

/** Typed access to parsed flags (values were checked by parseRunFlags). */
export class FlagReader {
  constructor(private readonly f: ParsedFlags) {}
  num(name: string): number {
    return this.f.values.get(name) as number;
  }
  str(name: string): string {
    return this.f.values.get(name) as string;
  }
  nums(name: string): number[] {
    return this.f.values.get(name) as number[];
  }
  bool(name: string): boolean {
    return this.f.values.get(name) as boolean;
  }
  /** Given explicitly on the command line (BLIS's `Changed`). */
  given(name: string): boolean {
    return this.f.explicit.has(name);
  }
  raw(name: string): FlagValue | undefined {
    return this.f.values.get(name);
  }
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function addRunFlags(cmd: Command): Command {
  for (const f of RUN_FLAGS) {
    const syntax = f.kind === 'bool' ? `--${f.name} [bool]` : `--${f.name} <value>`;
    cmd.option(syntax, `${f.help} (default ${f.defaultText ?? JSON.stringify(f.def)})`);
  }
  return cmd;
}

/** Converts commander's raw strings into typed values; a bad value names its flag. */
export function parseRunFlags(raw: Record<string, unknown>): ParsedFlags {
  const values = new Map<string, FlagValue>();
  const explicit = new Set<string>();
  for (const f of RUN_FLAGS) {
    const given = raw[camel(f.name)];
    if (given === undefined) {
      values.set(f.name, f.kind === 'int' && typeof f.def === 'string' ? Number(f.def) : f.def);
      continue;
    }
    explicit.add(f.name);
    values.set(f.name, convert(f, given));
  }
  return { values, explicit };
}

function convert(f: Flag, given: unknown): FlagValue {
  const s = String(given).trim();
  const bad = (what: string) => new InputError(`--${f.name}: ${what}, got "${s}"`);
  switch (f.kind) {
    case 'string':
      return s;
    case 'bool':
      if (given === true || s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      throw bad('expected true or false');
    case 'int': {
      if (!/^[+-]?\d+$/.test(s)) throw bad('expected an integer');
      return Number(s);
    }
    case 'float': {
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) throw bad('expected a number');
      return v;
    }
    case 'floats': {
      const parts = s.split(',').map((p) => p.trim());
      const vs = parts.map(Number);
      if (parts.some((p) => p === '') || vs.some((v) => !Number.isFinite(v)))
        throw bad('expected comma-separated numbers');
      return vs;
    }
  }
}
