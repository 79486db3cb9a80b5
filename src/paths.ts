import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root, so shipped data is found from any working directory. Found
 * by its package.json: this module runs from src/ or from a bundle under node_modules/.cache.
 */
const { root: PACKAGE_ROOT, version: VERSION } = findPackage(dirname(fileURLToPath(import.meta.url)));

export { PACKAGE_ROOT, VERSION };

function findPackage(from: string): { root: string; version: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    const json = existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')) : null;
    if (json?.name === 'blis-eval') return { root: dir, version: String(json.version) };
    if (dirname(dir) === dir) return { root: resolve(from, '..'), version: 'unknown' };
  }
}

/**
 * A path as the user gave it (relative to the working directory); a default that is not
 * there falls back to the copy shipped with the package.
 */
export function resolveData(path: string, isDefault: boolean): string {
  if (isAbsolute(path)) return path;
  const local = resolve(path);
  if (!isDefault || existsSync(local)) return local;
  return join(PACKAGE_ROOT, path);
}
/** A UTC time as a file-name part, e.g. 20261124-181502 (sorts by time). */
export function fileStamp(d: Date = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
