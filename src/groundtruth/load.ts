import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatZodError } from '../config/zod-error.ts';
import { InputError } from '../errors.ts';
import type { Experiment } from './experiment.ts';
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

export function parseGroundTruth(
  json: unknown,
  path: string,
  form: WorkloadFormOption = 'measured',
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
    return normalizeExperiment(parsed.data, {
      where,
      form,
      readTrace: (p) => {
        const file = resolve(dirname(path), p);
        return parseTraceRows(readText(file, `the trace of ${where}`), file);
      },
    });
  });
}
