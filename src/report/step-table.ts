import Table from 'cli-table3';

export type StepAnswerView =
  | { step_time_us: number; terms: Readonly<Record<string, number>> }
  | { not_applicable: string };

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * `blis-eval step`'s table: a row per latency model (step time and its non-zero terms, or why
 * it does not apply).
 */
export function stepTable(answers: Readonly<Record<string, StepAnswerView>>): string {
  const t = new Table({
    head: ['latency model', 'step time (µs)', 'terms'],
    colAligns: ['left', 'right', 'left'],
    style: { head: [], border: [] },
  });
  for (const [name, a] of Object.entries(answers)) {
    if ('not_applicable' in a)
      t.push([name, { colSpan: 2, hAlign: 'left', content: `not applicable: ${a.not_applicable}` }]);
    else
      t.push([
        name,
        String(a.step_time_us),
        Object.entries(a.terms)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => `${k} ${num(v)}`)
          .join(', '),
      ]);
  }
  return `${t.toString()}\n`;
}
