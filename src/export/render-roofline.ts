import type { FlatEntry } from './roofline.ts';

/**
 * BLIS's flat hardware_config.json: `{"H100": {"TFlopsPeak": …}, …}`. An alias's entry says
 * which GPU it repeats in a `_comment` (BLIS's own files do the same; Go ignores the key).
 */
export function renderRooflineFile(entries: readonly FlatEntry[]): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of entries) {
    out[e.name] =
      e.aliasOf === undefined ? { ...e.fields } : { _comment: `alias of ${e.aliasOf}`, ...e.fields };
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}
