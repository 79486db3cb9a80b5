/**
 * The "Serving Benchmark Result" block that `vllm bench serve` / `benchmark_serving.py` (and
 * `sglang.bench_serving`, which prints the same block) write to the console, read back
 * into the keys of vLLM's `--save-result` JSON, each with the line it came from.
 */
import { InputError } from '../errors.ts';

/** One printed block: values under vLLM's result-file keys, and the 1-based line of each. */
export interface PrintedBlock {
  /** Line of the `=== Serving Benchmark Result ===` header. */
  line: number;
  /** Lines after the previous block (or the file's start) up to this header. */
  preamble: { from: number; to: number };
  values: Record<string, number | string | null>;
  lines: Record<string, number>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes in console logs
const ANSI = /\u001b\[[0-9;]*m/g;
/** Comment or quote marks a pasted console output may carry (`# `, `> `, `// `). */
const MARKS = /^\s*(?:#+|>+|\/\/)\s?/;
const HEADER = /^=+\s*Serving Benchmark Result\s*=+$/i;
const END = /^={10,}$/;

/**
 * The text's lines as the parsers read them: colour codes, CR, comment marks and indentation
 * removed (a block may sit indented in a Markdown list or admonition).
 */
export function cleanLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(ANSI, '').replace(MARKS, '').trim());
}

export const hasPrintedBlock = (text: string) => /=+\s*Serving Benchmark Result\s*=+/i.test(text);

/** Summary lines → result-file keys (vLLM's labels, then SGLang's). */
const SUMMARY: Record<string, string> = {
  'successful requests': 'completed',
  'failed requests': 'failed',
  'benchmark duration (s)': 'duration',
  'total input tokens': 'total_input_tokens',
  'total generated tokens': 'total_output_tokens',
  'request throughput (req/s)': 'request_throughput',
  'request goodput (req/s)': 'request_goodput',
  'input token throughput (tok/s)': 'input_throughput',
  'output token throughput (tok/s)': 'output_throughput',
  'peak output token throughput (tok/s)': 'max_output_tokens_per_s',
  'peak concurrent requests': 'max_concurrent_requests',
  'total token throughput (tok/s)': 'total_token_throughput',
  'total throughput (tok/s)': 'total_token_throughput',
};

/** Run settings, printed inside the block (newer clients) or just above it (older ones). */
export const SETTINGS: Record<string, string> = {
  'maximum request concurrency': 'max_concurrency',
  'max request concurrency': 'max_concurrency',
  'request rate configured (rps)': 'request_rate',
  'traffic request rate': 'request_rate',
  'burstiness factor': 'burstiness',
  backend: 'backend',
};

/** `Mean TTFT (ms)`, `P99 E2EL (ms)`, SGLang's `Median E2E Latency (ms)` → `mean_ttft_ms`, … */
const LATENCY = /^(mean|median|std|p\d+(?:\.\d+)?)\s+(ttft|tpot|itl|e2el|e2e latency)\s+\(ms\)$/;

const label = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** A setting's value: a number, `inf`, null for `not set` / `None`, or the text (backend). */
export function settingValue(key: string, raw: string): number | string | null {
  const first = raw.trim().split(/\s+/)[0] ?? '';
  if (key === 'backend') return first;
  if (/^(not|none|n\/a)/i.test(first)) return null;
  if (/^inf$/i.test(first)) return 'inf';
  const n = Number(first);
  return Number.isFinite(n) ? n : Number.NaN;
}

/** Every block of a file's (cleaned) lines; a malformed one is an InputError naming the line. */
export function printedBlocks(lines: readonly string[], file: string): PrintedBlock[] {
  const blocks: PrintedBlock[] = [];
  let after = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!HEADER.test(lines[i]!)) continue;
    const block: PrintedBlock = { line: i + 1, preamble: { from: after, to: i }, values: {}, lines: {} };
    let j = i + 1;
    for (; j < lines.length && !END.test(lines[j]!) && !HEADER.test(lines[j]!); j++) {
      const m = /^([^:]+):\s*(.*)$/.exec(lines[j]!);
      if (!m || m[2] === '') continue;
      const name = label(m[1]!);
      const lat = LATENCY.exec(name);
      const key = lat
        ? `${lat[1]}_${lat[2] === 'e2e latency' ? 'e2el' : lat[2]}_ms`
        : (SUMMARY[name] ?? SETTINGS[name]);
      if (key === undefined) continue;
      const value = SETTINGS[name] ? settingValue(key, m[2]!) : Number(m[2]!.trim().split(/\s+/)[0]);
      if (typeof value === 'number' && Number.isNaN(value))
        throw new InputError(`${file}: line ${j + 1}: "${m[1]!.trim()}": expected a number, got '${m[2]}'`);
      block.values[key] = value;
      block.lines[key] = j + 1;
    }
    if (block.values.completed === undefined)
      throw new InputError(
        `${file}: line ${i + 1}: Serving Benchmark Result block has no "Successful requests:" line`,
      );
    if (!Object.keys(block.values).some((k) => /_(ttft|e2el)_ms$/.test(k)))
      throw new InputError(
        `${file}: line ${i + 1}: Serving Benchmark Result block has no TTFT or E2EL line (e.g. "Mean TTFT (ms):")`,
      );
    blocks.push(block);
    after = j + 1;
    i = j - 1;
  }
  return blocks;
}
