import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import type { Bundle, ImportFile } from '../import/types.ts';

/** Files a benchmark client or vLLM writes (and notes quoting them); anything else in a run folder is passed over. */
const READABLE = /\.(json|jsonl|ya?ml|log|txt|md|csv)$/i;
const MAX_DEPTH = 6;

/** A file read on first use (and once). */
export function fileEntry(abs: string, rel: string): ImportFile {
  let cache: string | undefined;
  return {
    rel,
    text() {
      if (cache === undefined) {
        try {
          cache = readFileSync(abs, 'utf8');
        } catch (e) {
          throw new InputError(`${abs}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
      }
      return cache;
    },
  };
}

/** A path argument as a bundle: the file itself, or the readable files of a folder (sorted). */
export function readBundle(path: string): Bundle {
  const abs = resolve(path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch {
    throw new InputError(`${path}: no such file or folder`);
  }
  const name = basename(abs);
  if (!st.isDirectory()) {
    const beside = (other: string) => {
      const p = join(dirname(abs), other);
      return existsSync(p) ? fileEntry(p, other) : undefined;
    };
    return { name, files: [fileEntry(abs, name)], beside };
  }
  const files: ImportFile[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const r = `${rel}/${e.name}`;
      if (e.isDirectory() && depth < MAX_DEPTH) walk(join(dir, e.name), r, depth + 1);
      else if (e.isFile() && READABLE.test(e.name)) files.push(fileEntry(join(dir, e.name), r));
    }
  };
  walk(abs, name, 0);
  if (files.length === 0)
    throw new InputError(`${path}: no readable files (json, jsonl, yaml, log, txt, md, csv)`);
  return { name, files };
}
