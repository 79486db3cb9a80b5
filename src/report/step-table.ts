import Table from 'cli-table3';

export interface StepResultView {
  readonly step_time_us: number;
  readonly contributions_us?: Readonly<Record<string, number>>;
  readonly basis_us?: Readonly<Record<string, number>>;
  readonly counts: Readonly<Record<string, number>>;
  readonly alone_us?: { readonly prefill: number; readonly decode: number };
}
export type StepAnswerView = StepResultView | { readonly not_applicable: string };

/** Column widths (padding included): with the four borders the table is 80 columns wide. */
const WIDTHS = [17, 11, 48];
const WIDTH = WIDTHS.reduce((a, b) => a + b, WIDTHS.length + 1);

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const label = (k: string) => k.replace(/_/g, ' ');

/** "4902.3 prefill compute + … − 0.4 rounding": the non-zero contributions as a sum. */
function sum(parts: Readonly<Record<string, number>>): string {
  return Object.entries(parts)
    .filter(([, v]) => v !== 0)
    .map(
      ([k, v], i) => `${i === 0 ? (v < 0 ? '−' : '') : v < 0 ? '− ' : '+ '}${num(Math.abs(v))} ${label(k)}`,
    )
    .join(' ');
}

function breakdown(a: StepResultView): string {
  const counts = Object.entries(a.counts)
    .map(([k, v]) => `${label(k)} ${num(v)}`)
    .join(', ');
  const how = a.contributions_us
    ? `= ${sum(a.contributions_us)}`
    : a.alone_us
      ? `prefill part alone ${num(a.alone_us.prefill)}, decode part alone ${num(a.alone_us.decode)}`
      : '';
  return `${how}\n(${counts})`;
}

/**
 * `blis-eval step`'s table, 80 columns wide (long cells wrap): a row per latency model that
 * applies (step time, and the contributions that add up to it or the step time of each part
 * alone, with the batch counts), then the models that do not apply, each with its reason.
 */
export function stepTable(answers: Readonly<Record<string, StepAnswerView>>): string {
  const t = new Table({
    head: ['latency model', 'step (µs)', 'breakdown'],
    colWidths: WIDTHS,
    colAligns: ['left', 'right', 'left'],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  const skipped: [string, string][] = [];
  let basis = false;
  for (const [name, a] of Object.entries(answers)) {
    if ('not_applicable' in a) skipped.push([name, a.not_applicable]);
    else {
      t.push([name, String(a.step_time_us), breakdown(a)]);
      basis ||= a.basis_us !== undefined;
    }
  }
  const note = basis
    ? '--json also lists the raw basis values (µs, before the coefficients scale them).\n'
    : '';
  return `${t.toString()}\n${note}${skipped.length > 0 ? `Not applicable:\n${reasons(skipped)}` : ''}`;
}

const NO_BORDER = Object.fromEntries(
  ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right']
    .concat(['left', 'left-mid', 'mid', 'mid-mid', 'right', 'right-mid', 'middle'])
    .map((k) => [k, '']),
);

/** "  name  reason" lines, the reasons wrapped at word boundaries within the table's width. */
export function reasons(rows: readonly (readonly [string, string])[]): string {
  const t = new Table({
    colWidths: [WIDTHS[0]! + 2, WIDTH - WIDTHS[0]! - 2],
    wordWrap: true,
    chars: NO_BORDER,
    style: { 'padding-left': 2, 'padding-right': 0, head: [], border: [] },
  });
  for (const [name, why] of rows) t.push([name, why]);
  return `${t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')}\n`;
}
