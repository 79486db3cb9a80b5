import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { type GemmFallback, MfuDatabase } from '../mfu/database.ts';
import {
  type ExternalLayout,
  type LayoutName,
  type ParsedLayout,
  PROJECT_GEMM,
  parseExternalLayout,
  parseProjectLayout,
  type VirtualFile,
} from '../mfu/layouts.ts';
import type { Warn } from '../mfu/tables.ts';
import { normGpuName, sameGpu } from './gpu-names.ts';

/**
 * Finds and reads MFU tables on disk (the pure parsing is in src/mfu). A bench-data root may
 * hold the project layout per GPU (`<root>/<gpu>/gemm_bench/...`), the project layout of a
 * single GPU directly (`<root>/gemm_bench/...`), or the BLIS / InferSim layout
 * (`<root>/gemm/<gpu>/data.csv`, `<root>/mha/{prefill,decode}/<gpu>/...`). A GPU folder may
 * have any name of the GPU (the alias table's or the hardware config entry's), in any case.
 */
export interface LoadedBenchData extends ParsedLayout {
  readonly layout: LayoutName;
  /** The GPU folder (or root) the tables came from. */
  readonly dir: string;
}

/** Every file under dir (recursively), paths relative to dir in POSIX form. */
export function readTree(dir: string): VirtualFile[] {
  const out: VirtualFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.csv')) {
        out.push({ path: relative(dir, p).split(sep).join('/'), text: readFileSync(p, 'utf8'), source: p });
      }
    }
  };
  walk(dir);
  return out;
}

export function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * The entry of `dir` that names the same GPU as one of `names` (spelt alike ignoring case and
 * separators first, then through the alias table: `a100-80` serves A100-80GB), or undefined.
 */
export function findEntry(dir: string, names: readonly string[]): string | undefined {
  if (!isDir(dir)) return undefined;
  const entries = readdirSync(dir).sort();
  const alike = (a: string, b: string) => normGpuName(a) === normGpuName(b);
  for (const match of [alike, sameGpu]) {
    for (const want of names) {
      const hit = entries.find((e) => match(e, want));
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

/** Reads one GPU's folder in an external layout, with the GPU level removed from the paths. */
function readExternal(root: string, gpuDir: string): VirtualFile[] {
  const files: VirtualFile[] = [];
  for (const sub of ['gemm', 'mha/prefill', 'mha/decode']) {
    const dir = join(root, sub, gpuDir);
    if (!isDir(dir)) continue;
    for (const f of readTree(dir)) files.push({ ...f, path: `${sub}/${f.path}` });
  }
  return files;
}

export interface LoadOptions {
  readonly aliases?: readonly string[];
  readonly warn?: Warn;
  /** For external layouts: which naming to enforce ('auto' accepts both). */
  readonly layout?: ExternalLayout | 'auto';
  /** The GEMM shape fallback (MfuDatabase's default when absent). */
  readonly gemmFallback?: GemmFallback;
}

/**
 * Where a root keeps one GPU's tables: a project folder (the root itself or its GPU
 * subfolder), an external layout (`gemm/<gpu>/`), or nowhere.
 */
function locate(root: string, names: readonly string[]): { project: string } | 'external' | null {
  if (!isDir(root)) return null;
  if (existsSync(join(root, PROJECT_GEMM))) return { project: root };
  const g = findEntry(root, names);
  if (g !== undefined && existsSync(join(root, g, PROJECT_GEMM))) return { project: join(root, g) };
  return findEntry(join(root, 'gemm'), names) !== undefined ? 'external' : null;
}

/** Loads the tables of one GPU from a bench-data root, in whichever layout it uses. */
export function loadBenchData(root: string, gpu: string, opts: LoadOptions = {}): LoadedBenchData {
  if (!isDir(root)) throw new InputError(`bench data: ${root} is not a directory`);
  const names = [gpu, ...(opts.aliases ?? [])];
  const where = locate(root, names);
  if (where === 'external') return loadExternalBenchData(root, gpu, opts.layout ?? 'auto', opts);
  if (where !== null) {
    const dir = where.project;
    return { ...parseProjectLayout(readTree(dir), dir, opts.warn), layout: 'project', dir };
  }
  const found = readdirSync(root).sort().join(', ');
  throw new InputError(
    `bench data: no tables for GPU ${names.join('/')} under ${root} (found: ${found || 'nothing'})`,
  );
}

/** GPU folders of an external-layout root (the entries of `<root>/gemm/`). */
export function externalGpus(root: string): string[] {
  const g = join(root, 'gemm');
  return isDir(g)
    ? readdirSync(g)
        .filter((e) => isDir(join(g, e)))
        .sort()
    : [];
}

/** Loads one GPU's tables from a BLIS or InferSim root (`gemm/<gpu>/data.csv`, `mha/...`). */
export function loadExternalBenchData(
  root: string,
  gpu: string,
  layout: ExternalLayout | 'auto',
  opts: LoadOptions = {},
): LoadedBenchData {
  const extGpu = findEntry(join(root, 'gemm'), [gpu, ...(opts.aliases ?? [])]);
  if (extGpu === undefined) {
    throw new InputError(
      `bench data: no GPU '${gpu}' under ${join(root, 'gemm')} (found: ${externalGpus(root).join(', ') || 'nothing'})`,
    );
  }
  const parsed = parseExternalLayout(readExternal(root, extGpu), `${root}[${extGpu}]`, layout, opts.warn);
  const hasTp = [...parsed.data.decode.values()].some((m) => [...m.keys()].some((tp) => tp !== 1));
  return { ...parsed, layout: layout === 'auto' ? (hasTp ? 'blis' : 'infersim') : layout, dir: root };
}

/** Loads one GPU's tables as an MFU database; warnings (fallbacks) go to `warn`. */
export function loadMfuDatabase(root: string, gpu: string, opts: LoadOptions = {}): MfuDatabase {
  const loaded = loadBenchData(root, gpu, opts);
  return new MfuDatabase(loaded.data, {
    label: loaded.dir,
    ...(opts.warn && { onWarning: opts.warn }),
    ...(opts.gemmFallback && { gemmFallback: opts.gemmFallback }),
  });
}

/** True when `root` holds any bench data for this GPU (used to pick v2 over v1). */
export function hasBenchData(root: string, gpu: string, aliases: readonly string[] = []): boolean {
  return locate(root, [gpu, ...aliases]) !== null;
}

/** Writes files under dir, each atomically (temp file + rename). */
export function writeTree(dir: string, files: readonly VirtualFile[]): void {
  for (const f of files) {
    writeFileAtomic(join(dir, ...f.path.split('/')), f.text);
  }
}
