/**
 * What the vLLM server ran, read from its log ("non-default args: {…}", "GPU KV cache
 * size: N tokens"), its command-line arguments (a Kubernetes manifest, a launch script) or
 * a small config file, each value with its file and key.
 */
import type { Fact, ImportFile, ServerFacts } from './types.ts';

type NumericField =
  | 'tp'
  | 'maxNumSeqs'
  | 'maxNumBatchedTokens'
  | 'maxModelLen'
  | 'gpuMemoryUtilization'
  | 'blockSize';

/** vLLM argument names (underscored) → fact fields. */
const ARG_FIELDS: Record<string, NumericField> = {
  tensor_parallel_size: 'tp',
  tensor_parallelism: 'tp',
  max_num_seqs: 'maxNumSeqs',
  max_num_batched_tokens: 'maxNumBatchedTokens',
  max_model_len: 'maxModelLen',
  gpu_memory_utilization: 'gpuMemoryUtilization',
  block_size: 'blockSize',
};

type SwitchField = 'chunkedPrefill' | 'prefixCaching' | 'asyncScheduling';

/** vLLM's on/off switches (`--enable-x` / `--no-enable-x`, `'enable_x': True`). */
const SWITCHES: Record<string, SwitchField> = {
  enable_chunked_prefill: 'chunkedPrefill',
  enable_prefix_caching: 'prefixCaching',
  async_scheduling: 'asyncScheduling',
};

/** A switch's value from an argument name (`no_enable_x` is off) and its text, if it is one. */
function switchFact(name: string, raw: string | undefined): [SwitchField, boolean] | undefined {
  const off = name.startsWith('no_');
  const field = SWITCHES[off ? name.slice(3) : name];
  if (field === undefined) return undefined;
  if (raw === undefined) return [field, !off];
  const v = /^(true|1)$/i.test(raw) ? true : /^(false|0)$/i.test(raw) ? false : undefined;
  return v === undefined ? undefined : [field, off ? !v : v];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes in logs
const ANSI = /\u001b\[[0-9;]*m/g;

/** Facts from a vLLM server log; the last KV-cache line wins (a restarted server logs again). */
export function factsFromVllmLog(file: ImportFile): ServerFacts {
  const text = file.text().replace(ANSI, '');
  const facts: ServerFacts = {};
  const kv = [...text.matchAll(/GPU KV cache size: ([\d,]+) tokens/g)].at(-1);
  if (kv)
    facts.kvTokens = { value: Number(kv[1]!.replaceAll(',', '')), file: file.rel, key: 'GPU KV cache size' };
  const args = nonDefaultArgs(text);
  if (args) {
    const key = 'non-default args';
    for (const m of args.matchAll(/'([a-z_]+)': ('([^']*)'|[-\d.e]+|True|False|None)/g)) {
      const name = m[1]!;
      const raw = m[3] ?? m[2]!;
      const field = ARG_FIELDS[name];
      if (field && /^[-\d.e]+$/.test(raw))
        facts[field] = { value: Number(raw), file: file.rel, key: `${key}.${name}` };
      if ((name === 'model' || name === 'model_tag') && m[3] !== undefined && !facts.model)
        facts.model = { value: raw, file: file.rel, key: `${key}.${name}` };
      if (name === 'quantization' && m[3] !== undefined)
        facts.precision = { value: raw, file: file.rel, key: `${key}.${name}` };
      const sw = switchFact(name, raw);
      if (sw) facts[sw[0]] = { value: sw[1], file: file.rel, key: `${key}.${name}` };
    }
  }
  if (args && !facts.tp) facts.tp = defaultTp(file.rel, 'non-default args');
  const version =
    /vLLM API server version ([\w.+-]+)/.exec(text) ?? /\bvllm[ =]version[: ]+([\w.+-]+)/i.exec(text);
  if (version) facts.vllmVersion = { value: version[1]!, file: file.rel, key: 'vLLM API server version' };
  return facts;
}

/**
 * The `{…}` after "non-default args: ", to its matching brace (values may be dicts). A log
 * copied from a terminal may wrap the line mid-word: line breaks inside are dropped.
 */
function nonDefaultArgs(text: string): string | undefined {
  const start = text.indexOf('non-default args: {');
  if (start < 0) return undefined;
  const from = start + 'non-default args: '.length;
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(from, i + 1).replace(/\r?\n/g, '');
  }
  return undefined;
}

/** Whether a file is a vLLM server log worth reading (it states the KV cache or the args). */
export function isVllmLog(file: ImportFile): boolean {
  if (!/\.(log|txt)$/i.test(file.rel)) return false;
  const text = file.text();
  return text.includes('GPU KV cache size') || text.includes('non-default args');
}

/**
 * Facts from vLLM command-line arguments (`--max-num-seqs=128`, `--max-num-seqs 128`,
 * `--model X`, `vllm serve X`, `-tp 8`); `$(VAR)` is resolved from `env`.
 */
export function factsFromArgs(
  args: readonly string[],
  file: string,
  env: Record<string, string> = {},
): ServerFacts {
  const facts: ServerFacts = {};
  const sub = (v: string) =>
    v.replace(/\$\(([A-Za-z_]\w*)\)|\$\{([A-Za-z_]\w*)\}/g, (m, a, b) => env[a ?? b] ?? m);
  const list = args.map(sub);
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    if (i > 0 && list[i - 1] === 'serve' && !a.startsWith('-')) {
      facts.model = { value: a, file, key: 'serve <model>' };
      continue;
    }
    const m = /^--([a-z][a-z0-9_-]*)(?:=(.*))?$/.exec(a) ?? /^-(tp)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    // `-tp` is vLLM's short form of --tensor-parallel-size.
    const name = m[1] === 'tp' ? 'tensor_parallel_size' : m[1]!.replaceAll('-', '_');
    const key = a.split('=')[0]!;
    const sw = switchFact(name, m[2]);
    if (sw) {
      facts[sw[0]] = { value: sw[1], file, key };
      continue;
    }
    const value = m[2] ?? (list[i + 1]?.startsWith('-') ? undefined : list[i + 1]);
    if (value === undefined) continue;
    const field = ARG_FIELDS[name];
    if (field && Number.isFinite(Number(value))) facts[field] = { value: Number(value), file, key };
    if (name === 'model') facts.model = { value, file, key };
    if (name === 'quantization') facts.precision = { value, file, key };
  }
  if (!facts.tp) facts.tp = defaultTp(file, 'server arguments');
  return facts;
}

/**
 * Facts from a config object of vLLM argument names (`{ "tensor_parallel_size": 2, … }`, a
 * launcher's record of the server), each keyed `<prefix>.<name>`. Unlike a full argument list,
 * a missing TP here says nothing.
 */
export function factsFromSettings(obj: Record<string, unknown>, file: string, prefix: string): ServerFacts {
  const args = Object.entries(obj).flatMap(([k, x]) =>
    typeof x === 'number' || typeof x === 'string' ? [`--${k}=${x}`] : [],
  );
  const facts = factsFromArgs(args, file);
  for (const x of Object.values(facts))
    if (x) x.key = `${prefix ? `${prefix}.` : ''}${x.key.replace(/^--/, '')}`;
  if (facts.tp?.isDefault) delete facts.tp;
  return facts;
}

/** The server's full arguments leave TP out: vLLM runs TP 1. */
function defaultTp(file: string, key: string): Fact<number> {
  return { value: 1, file, key, note: 'no tensor-parallel-size among them: vLLM default 1', isDefault: true };
}

/** First fact wins: `merge(primary, fallback, …)`. */
export function mergeFacts(...all: ServerFacts[]): ServerFacts {
  const out: ServerFacts = {};
  for (const facts of all) {
    for (const [k, v] of Object.entries(facts) as [keyof ServerFacts, Fact<never>][]) {
      const have = out[k];
      if (v !== undefined && (have === undefined || (have.isDefault && !v.isDefault)))
        (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}
