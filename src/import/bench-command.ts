/**
 * Command lines quoted in a text next to printed results (a README, a console log): the
 * benchmark client's (`vllm bench serve`, `benchmark_serving.py`, `sglang.bench_serving`)
 * and the server's (`vllm serve`, vLLM's api_server), with their flags and the request
 * lengths the client asked for.
 */
import { split } from 'shlex';
import type { TokenSummary } from './points.ts';

/** One command found in the text: its kind, first line (1-based) and words from the program on. */
export interface CommandLine {
  /** `other-server`: another engine's server (SGLang, TensorRT-LLM, LMDeploy, TGI). */
  kind: 'client' | 'server' | 'other-server';
  line: number;
  /** The program's name as written (`vllm bench serve`, `benchmark_serving.py`, …). */
  program: string;
  words: string[];
}

const CLIENT = /vllm\s+bench\s+serve\b|benchmark_serving\.py\b|sglang\.bench_serving\b/;
const SERVER = /vllm\s+serve\b|vllm\.entrypoints\.openai\.api_server\b/;
/** Other engines' servers: a block printed under one of them is not a vLLM run. */
const OTHER_SERVER = /sglang\.launch_server\b|trtllm-serve\b|lmdeploy\s+serve\b|text-generation-launcher\b/;

/**
 * Shell words (shlex: quotes group, a backslash escapes the next character; nothing is
 * expanded). A text cut short (an apostrophe in prose, a last line ending in a backslash) is
 * read as the shell would once it were closed there; one that still is not shell splits at blanks.
 */
export function shellWords(text: string): string[] {
  for (const closed of [text, text.replace(/\\\s*$/, ''), `${text}'`, `${text}"`]) {
    try {
      return split(closed);
    } catch {
      // not closed this way: try the next
    }
  }
  return text.split(/\s+/).filter(Boolean);
}

/**
 * Every command line of the text (lines already stripped of comment or quote marks), with
 * its backslash-continued lines joined. Words before the program (`docker exec …`, env
 * assignments) are left out, so their flags are not read as the program's.
 */
export function commandLines(lines: readonly string[]): CommandLine[] {
  const out: CommandLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const client = CLIENT.exec(line);
    const server = client ? null : SERVER.exec(line);
    const other = client || server ? null : OTHER_SERVER.exec(line);
    const hit = client ?? server ?? other;
    if (!hit) continue;
    let text = line.slice(hit.index + hit[0].length);
    let j = i;
    while (/\\\s*$/.test(lines[j]!) && j + 1 < lines.length) {
      text = `${text.replace(/\\\s*$/, '')} ${lines[++j]}`;
    }
    out.push({
      kind: client ? 'client' : server ? 'server' : 'other-server',
      line: i + 1,
      program: hit[0].replace(/\s+/g, ' '),
      words: [...hit[0].split(/\s+/), ...shellWords(text)],
    });
    i = j;
  }
  return out;
}

/**
 * The value of `--name` (`--name v` or `--name=v`; argparse also takes underscores), or
 * undefined when absent or written as a shell variable or placeholder (`$RATE`, `<path>`).
 * A flag given twice: the last wins, as argparse does.
 */
export function flagValue(words: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(words[i]!);
    if (!m || m[1]!.replaceAll('_', '-') !== name) continue;
    const next = words[i + 1];
    found = m[2] ?? (next !== undefined && !next.startsWith('--') ? next : undefined);
  }
  return found === undefined || /[$<>{}]/.test(found) ? undefined : found;
}

/** Whether a boolean flag (`--ignore-eos`) is given. */
export function hasFlag(words: readonly string[], name: string): boolean {
  return words.some((w) => /^--[\w-]+$/.test(w) && w.slice(2).replaceAll('_', '-') === name);
}

/** Input and output lengths the client's command asked for (random, sonnet, sharegpt or the general flags). */
export function requestedLengths(client: CommandLine | undefined) {
  const pick = (names: string[]) => {
    for (const name of names) {
      const v = client ? Number(flagValue(client.words, name)) : Number.NaN;
      if (Number.isFinite(v) && v > 0) return { flag: `--${name}`, value: v };
    }
    return undefined;
  };
  return [
    pick(['random-input-len', 'input-len', 'sonnet-input-len', 'random-input']),
    pick(['random-output-len', 'output-len', 'sonnet-output-len', 'sharegpt-output-len', 'random-output']),
  ] as const;
}

/** `--random-range-ratio`, when the command gives a positive one. */
export function rangeRatio(client: CommandLine | undefined): number | undefined {
  const r = Number(client ? flagValue(client.words, 'random-range-ratio') : Number.NaN);
  return r > 0 ? r : undefined;
}

/**
 * The command's length as a distribution around the printed mean. A range ratio r spans
 * [L(1−r), L(1+r)] in vLLM since 0.9, [rL, L] before and in SGLang: the span whose middle is
 * nearer the printed mean is taken, and only when it holds that mean (uniform stdev).
 * Without a printed mean, the command's length.
 */
export function lengthSpan(t: TokenSummary | null, len: number | undefined, ratio: number | undefined) {
  if (len === undefined) return t;
  if (t === null) return { mean: len };
  if (ratio === undefined) return t;
  const spans: [number, number][] = [[len * (1 - ratio), len * (1 + ratio)]];
  if (ratio <= 1) spans.push([len * ratio, len]);
  const off = ([lo, hi]: [number, number]) => Math.abs((lo + hi) / 2 - t.mean);
  const [lo, hi] = spans.sort((a, b) => off(a) - off(b))[0]!;
  if (t.mean < lo || t.mean > hi) return t;
  return {
    mean: t.mean,
    min: Math.max(1, Math.ceil(lo)),
    max: Math.floor(hi),
    stdev: (hi - lo) / Math.sqrt(12),
  };
}

/**
 * Why a client command cannot be the one that printed a block (its request count or its
 * prompt length disagrees with the block's totals), or undefined when it may be. A page that
 * lists its commands once at the top and prints runs of other lengths further down gives
 * each block the nearest command above, which is often not its own.
 */
export function contradicts(
  client: CommandLine,
  values: Record<string, number | string | null>,
): string | undefined {
  const done = Number(values.completed ?? 0) + Number(values.failed ?? 0);
  const n = Number(flagValue(client.words, 'num-prompts'));
  if (Number.isFinite(n) && n > 0 && done > n) return `--num-prompts ${n}, the block ${done} requests`;
  const [inLen] = requestedLengths(client);
  const total = Number(values.total_input_tokens);
  if (inLen === undefined || !(done > 0) || !Number.isFinite(total)) return undefined;
  const mean = total / Number(values.completed ?? done);
  const r = rangeRatio(client) ?? 0;
  const [lo, hi] = [inLen.value * Math.min(1 - r, r || 1), inLen.value * (1 + r)];
  // A chat template or tokenizer round trip moves a length by some tokens, never by half.
  return mean < lo * 0.5 || mean > hi * 1.5
    ? `${inLen.flag} ${inLen.value}, the block a mean prompt of ${mean.toFixed(0)} tokens`
    : undefined;
}
