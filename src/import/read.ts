/** Parsing helpers that name the file (and key) in every error. */
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { InputError } from '../errors.ts';
import type { ImportFile } from './types.ts';

export type Json = Record<string, unknown>;

export function parseJson(file: ImportFile): unknown {
  try {
    return JSON.parse(file.text());
  } catch (e) {
    throw new InputError(`${file.rel}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function parseJsonObject(file: ImportFile): Json {
  const v = parseJson(file);
  if (!isObject(v)) throw new InputError(`${file.rel}: expected a JSON object`);
  return v;
}

export function parseYamlAll(file: ImportFile): unknown[] {
  try {
    return parseAllDocuments(file.text()).map((d) => d.toJS());
  } catch (e) {
    throw new InputError(`${file.rel}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function parseYamlObject(file: ImportFile): Json {
  let v: unknown;
  try {
    v = parseYaml(file.text());
  } catch (e) {
    throw new InputError(`${file.rel}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(v)) throw new InputError(`${file.rel}: expected a YAML mapping`);
  return v;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, or undefined. */
export function at(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (!isObject(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** A finite number at a path, or undefined (strings such as "inf" are not numbers). */
export function numAt(obj: unknown, path: string): number | undefined {
  const v = at(obj, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function strAt(obj: unknown, path: string): string | undefined {
  const v = at(obj, path);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
