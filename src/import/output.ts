/**
 * The ground-truth file an import writes: new experiments added to an existing file
 * (`--append`, names must be new unless `--replace`) or a new file; traces as CSV text.
 */
import { InputError } from '../errors.ts';
import { isObject } from './read.ts';
import type { ImportedExperiment, RequestRecord } from './types.ts';

export interface MergeOptions {
  append: boolean;
  replace: boolean;
  outPath: string;
}

/** The output document: the existing one (when appending) with the new experiments merged in. */
export function mergeGroundTruth(
  existing: unknown,
  imported: readonly ImportedExperiment[],
  o: MergeOptions,
): Record<string, unknown> {
  const names = new Set<string>();
  for (const x of imported) {
    const name = String(x.json.experiment_name);
    if (names.has(name))
      throw new InputError(
        `experiment name "${name}" is imported twice; pass distinct --name values or import separately`,
      );
    names.add(name);
  }
  if (existing === undefined) {
    return {
      format: 'blis-eval ground truth (docs/ground-truth-format.md)',
      provenance: {
        imported_by: 'blis-eval import',
        rule: 'measured values read from the client files; each experiment lists its sources',
      },
      experiments: imported.map((x) => x.json),
    };
  }
  if (!isObject(existing) || !Array.isArray(existing.experiments))
    throw new InputError(`${o.outPath}: not a ground-truth file (no experiments list) to append to`);
  const experiments = [...existing.experiments];
  for (const x of imported) {
    const name = x.json.experiment_name;
    const i = experiments.findIndex((e) => isObject(e) && e.experiment_name === name);
    if (i < 0) experiments.push(x.json);
    else if (o.replace) experiments[i] = x.json;
    else
      throw new InputError(
        `${o.outPath}: experiment "${String(name)}" already exists; pass --replace to overwrite it or --name to rename`,
      );
  }
  return { ...existing, experiments };
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** A trace as CSV: arrivals relative to the first request (s), tokens, measured TTFT/E2E (ms), stage. */
export function traceCsv(rows: readonly RequestRecord[]): string {
  const t0 = Math.min(...rows.map((r) => r.startS));
  const sorted = [...rows].sort((a, b) => a.startS - b.startS);
  const stage = rows.some((r) => r.stage !== undefined);
  const lines = [`arrival_s,input_tokens,output_tokens,ttft_ms,e2e_ms${stage ? ',stage' : ''}`];
  for (const r of sorted) {
    const cells = [
      round(r.startS - t0, 6),
      r.inputTokens,
      r.outputTokens,
      r.ttftMs === null ? '' : round(r.ttftMs, 6),
      r.e2eMs === null ? '' : round(r.e2eMs, 6),
    ];
    if (stage) cells.push(r.stage ?? '');
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
