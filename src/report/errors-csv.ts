import type { ErrorRow } from '../eval/types.ts';
import { oneLine } from './format.ts';

export const ERRORS_CSV_HEADER =
  'experiment,point,latency_model,seed,model,gpu,tp,workload_family,workload_form,metric,' +
  'measured,predicted,abs_error,ape,pe,status,reason,failure_class,workload_mismatch,gt_overloaded';

/**
 * Numbers are written as `Number(x.toPrecision(10))` printed by JavaScript's shortest
 * round-trip form: ten significant digits at most, no trailing zeros, no float noise
 * (0.1 + 0.2 prints 0.3), and the same text on every platform. Magnitudes below 1e-6 or
 * from 1e21 print in exponent form (1e-7), which CSV readers parse. Nulls and non-finite
 * values are empty cells.
 */
export function csvNumber(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '';
  return String(Number(x.toPrecision(10)));
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling inner quotes. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * errors.csv: one line per point × metric × latency model × seed (several seeds are all
 * listed, told apart by the seed column), with the context a user filters by (model, GPU,
 * TP, workload family and form), the reason of an n.a. or failed row and its failure class,
 * and whether the ground truth flags the experiment overloaded; LF line ends and a trailing
 * newline.
 */
export function renderErrorsCsv(rows: readonly ErrorRow[]): string {
  const lines = [ERRORS_CSV_HEADER];
  for (const r of rows) {
    lines.push(
      [
        csvField(r.experiment),
        csvField(r.point),
        csvField(r.latencyModel),
        String(r.seed),
        csvField(r.meta.model),
        csvField(r.meta.gpu),
        String(r.meta.tp),
        csvField(r.meta.family),
        csvField(r.meta.workloadForm),
        csvField(r.metric),
        csvNumber(r.measured),
        csvNumber(r.predicted),
        csvNumber(r.absError),
        csvNumber(r.ape),
        csvNumber(r.pe),
        csvField(r.status),
        csvField(oneLine(r.reason)),
        csvField(r.failureClass ?? ''),
        csvField(r.workloadMismatch),
        r.meta.overloaded ? 'true' : 'false',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
