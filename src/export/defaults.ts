import type { CoefficientRow, DefaultsFile } from '../config/coefficients.ts';
import type { ExportNotes } from './types.ts';

/** A coefficient row as BLIS's strict parser takes it, with our provenance as a comment. */
export interface ExportedRow {
  readonly row: Omit<CoefficientRow, 'provenance'>;
  readonly comment?: string;
}

export interface DefaultsExport extends ExportNotes {
  readonly file: Omit<DefaultsFile, 'models'>;
  readonly rows: readonly ExportedRow[];
}

/**
 * defaults.yaml as BLIS v0.6.1 loads it: the same sections and rows in the same order (the
 * first exact row of an (id, GPU, TP, vLLM version) wins in both), without the key BLIS's
 * strict parser refuses (`provenance`, kept as a comment). The blackbox model has no field
 * of ours, so nothing is lost.
 */
export function defaultsExport(file: DefaultsFile): DefaultsExport {
  const rows = file.models.map(({ provenance, ...row }) => ({
    row,
    ...(provenance !== undefined && { comment: provenance }),
  }));
  const seen = new Set<string>();
  let repeats = 0;
  for (const { row } of rows) {
    const key = JSON.stringify([row.id, row.GPU, row.tensor_parallelism, row.vllm_version]);
    if (seen.has(key)) repeats++;
    seen.add(key);
  }
  const notes = [
    'BLIS matches a row by (id, GPU, tensor_parallelism, vllm_version) exactly: pass --vllm-version where ' +
      "the model's defaults entry names another (blis-eval's evaluator takes a row of any vLLM version)",
  ];
  if (repeats > 0) {
    notes.push(`${repeats} row(s) repeat an earlier key; BLIS uses the first, as blis-eval does`);
  }
  const { models: _, ...rest } = file;
  return { file: rest, rows, lost: [], carried: [], notes };
}
