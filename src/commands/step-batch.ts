import { z } from 'zod';
import { formatZodError } from '../config/zod-error.ts';
import { InputError } from '../errors.ts';
import type { StepRequest } from '../latency/types.ts';

/**
 * The batch of `blis-eval step`: request groups as in BLIS's trained-physics reference file
 * (`count` identical requests: prompt length, progress = tokens already in KV, this step's
 * new tokens, output so far (informational), full output length), or built from
 * `--prefill <tokens>[@<prompt len>]` and `--decode <count>@<context>`.
 */
const count = z.number().int().nonnegative();
export const batchGroup = z
  .object({
    count: z.number().int().positive(),
    input_len: count,
    progress: count,
    new_tokens: count,
    output_so_far: count.optional(),
    output_len: count,
    phase: z.string().optional(),
  })
  .strict();
const batchSchema = z.array(batchGroup);

export type BatchGroup = z.infer<typeof batchGroup>;

/** A JSON array of groups (or an object with a `batch` array, e.g. a reference case). */
export function parseBatchJson(text: string, source: string): BatchGroup[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: invalid JSON (${(e as Error).message})`);
  }
  const inCase = typeof json === 'object' && json !== null && !Array.isArray(json) && 'batch' in json;
  const r = batchSchema.safeParse(inCase ? (json as { batch: unknown }).batch : json);
  if (!r.success) throw new InputError(formatZodError(source, r.error, inCase ? ['batch'] : []));
  return r.data;
}

const positiveInt = (flag: string, text: string, v: string | undefined): number => {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n) || n <= 0) {
    throw new InputError(`${flag} '${text}': expected a positive integer, got '${v ?? ''}'`);
  }
  return n;
};

/** `--prefill 2048@6000`: the last 2048-token chunk of a 6000-token prompt (prompt = tokens when omitted). */
export function prefillGroup(text: string): BatchGroup {
  const [t, s] = text.split('@');
  const tokens = positiveInt('--prefill', text, t);
  const prompt = s === undefined ? tokens : positiveInt('--prefill', text, s);
  if (prompt < tokens) throw new InputError(`--prefill '${text}': prompt length below the chunk`);
  return { count: 1, input_len: prompt, progress: prompt - tokens, new_tokens: tokens, output_len: 1 };
}

/** `--decode 64@2000`: 64 decode requests with 2000 tokens in KV each. */
export function decodeGroup(text: string): BatchGroup {
  const [n, c] = text.split('@');
  if (c === undefined) throw new InputError(`--decode '${text}': expected <count>@<context>`);
  const context = positiveInt('--decode', text, c);
  return {
    count: positiveInt('--decode', text, n),
    input_len: context,
    progress: context,
    new_tokens: 1,
    output_len: 1,
  };
}

/** The groups as the simulator's view of a batch. */
export function expandGroups(groups: readonly BatchGroup[]): StepRequest[] {
  const out: StepRequest[] = [];
  for (const g of groups) {
    const r = {
      progressIndex: g.progress,
      numNewTokens: g.new_tokens,
      inputLen: g.input_len,
      outputLen: g.output_len,
    };
    for (let i = 0; i < g.count; i++) out.push(r);
  }
  return out;
}
