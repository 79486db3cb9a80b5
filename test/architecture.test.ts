import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

// The house rules live in .dependency-cruiser.mjs (`npx depcruise src` prints the same list).
const CONFIG = resolve('.dependency-cruiser.mjs');

/** `rule: from → to`, with the cycle it closes or the chain of imports that reaches `to`. */
function line(v: IViolation): string {
  const chain = v.cycle ?? v.via;
  const through = chain ? ` (${[v.from, ...chain.map((m) => m.name)].join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${through}`;
}

/** Cruises `<baseDir>/src`: the imports that break a rule, and the modules in no layer. */
async function house(baseDir: string): Promise<{ broken: string[]; unplaced: string[] }> {
  const options = await extractDepcruiseOptions(CONFIG);
  const { output } = await cruise(['src'], { ...options, baseDir: resolve(baseDir) });
  if (typeof output === 'string') throw new Error('dependency-cruiser answered text, not a cruise result');
  const { LAYERS } = (await import(pathToFileURL(CONFIG).href)) as { LAYERS: { path: string }[] };
  const layers = LAYERS.map((l) => new RegExp(l.path));
  return {
    broken: output.summary.violations.map(line).sort(),
    unplaced: output.modules.map((m) => m.source).filter((s) => !layers.some((l) => l.test(s))),
  };
}

describe('imports under src/', () => {
  it('form no cycle, never climb a layer, and give renderers outcome files only', async () => {
    const { broken, unplaced } = await house('.');
    expect(
      broken,
      'imports that break the house rules (docs/architecture.md, "Layers"): give a type both sides use one home below both',
    ).toEqual([]);
    expect(unplaced, 'modules in no layer: place their folder in LAYERS (.dependency-cruiser.mjs)').toEqual(
      [],
    );
  });

  it('are checked for real: a tree breaking each rule once is caught, naming the files', async () => {
    const { broken, unplaced } = await house('test/fixtures/house');
    expect(broken).toEqual([
      'no-circular: src/sim/ring-a.ts → src/sim/ring-b.ts (src/sim/ring-a.ts → src/sim/ring-b.ts → src/sim/ring-a.ts)',
      'report-reaches-no-session: src/report/draws.ts → src/eval/session.ts (src/report/draws.ts → src/tune/tuner.ts → src/eval/session.ts)',
      'report-reads-outcomes-only: src/report/draws.ts → src/tune/tuner.ts',
      'upward-from-groundtruth: src/groundtruth/reads-eval.ts → src/eval/session.ts',
    ]);
    expect(unplaced).toEqual(['src/extra/stray.ts']);
  });
});
