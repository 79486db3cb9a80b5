import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `../shared/` beside the checkout: reference data tests compare against (never the product). */
export const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared');

export function sharedJson<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(join(SHARED, rel), 'utf8')) as T;
}
