import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatZodError } from '../config/zod-error.ts';
import { InputError } from '../errors.ts';
import type { Experiment, TraceRow } from './experiment.ts';
import { normalizeExperiment, type WorkloadFormOption } from './normalize.ts';
import { experimentSchema, groundTruthSchema } from './schema.ts';
import { parseTraceRows } from './trace-file.ts';

export interface GroundTruth {
  path: string;
  experiments: Experiment[];
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read ${what}${code ? ` (${code})` : ''}`);
  }
}

/**
 * Reads, validates and normalises a ground-truth file. Every error names the file, the
 * experiment and the field; unknown fields are ignored.
 */
export function loadGroundTruth(path: string, form: WorkloadFormOption = 'measured'): GroundTruth {
  const text = readText(path, 'the ground-truth file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { path, experiments: parseGroundTruth(json, path, form) };
}

/** A trace's text; `.gz` files (e.g. `run.csv.gz`, as `blis-eval import` writes) are gunzipped. */
function readTraceText(file: string, what: string): string {
  if (!file.endsWith('.gz')) return readText(file, what);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read ${what}${code ? ` (${code})` : ''}`);
  }
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (e) {
    throw new InputError(`${file}: not valid gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `readTrace` (path as written in the file → rows, or undefined) comes before reading beside
 * the file: the importer checks a document before its traces are written.
 */
export function parseGroundTruth(
  json: unknown,
  path: string,
  form: WorkloadFormOption = 'measured',
  readTrace?: (ref: string) => TraceRow[] | undefined,
): Experiment[] {
  const top = groundTruthSchema.safeParse(json);
  if (!top.success) throw new InputError(formatZodError(path, top.error));
  const names = new Set<string>();
  return top.data.experiments.map((value, i) => {
    const name =
      typeof value === 'object' && value !== null && 'experiment_name' in value
        ? String((value as { experiment_name: unknown }).experiment_name)
        : `#${i}`;
    const where = `${path}: experiments[${i}] "${name}"`;
    const parsed = experimentSchema.safeParse(value);
    if (!parsed.success) throw new InputError(formatZodError(where, parsed.error));
    if (names.has(name)) throw new InputError(`${where}: experiment_name: duplicate`);
    names.add(name);
    const modelConfig = parsed.data.model_config;
    const x = normalizeExperiment(parsed.data, {
      where,
      form,
      readTrace: (p) => {
        const given = readTrace?.(p);
        if (given) return given;
        const file = resolve(dirname(path), p);
        return parseTraceRows(readTraceText(file, `the trace of ${where}`), file);
      },
    });
    return modelConfig === undefined ? x : { ...x, modelConfig: resolve(dirname(path), modelConfig) };
  });
}
