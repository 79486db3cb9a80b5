import type { Command } from 'commander';
import { loadGroundTruth } from '../groundtruth/load.ts';
import { workloadFormOption } from '../groundtruth/normalize.ts';
import { resolveData } from '../paths.ts';

/** `blis-eval validate <file>`: checks a ground-truth file without simulating anything. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a ground-truth file (shapes, fields, traces) without running anything')
    .argument('<file>', 'ground-truth JSON')
    .option(
      '--workload-form <form>',
      'check the measured, executed or profile form of staged experiments',
      'executed',
    )
    .action((file: string, o: { workloadForm: string }) => {
      const gt = loadGroundTruth(resolveData(file, false), workloadFormOption(o.workloadForm));
      const lines = gt.experiments.map((x) => {
        const points = x.replays.flatMap((r) => r.points.map((p) => p.id));
        const kv =
          x.engine.totalKvBlocks === null ? 'KV blocks derived' : `${x.engine.totalKvBlocks} KV blocks`;
        return `  ${x.name}: ${x.model} on ${x.gpu} TP ${x.tp}, ${x.workloadForm}, ${kv}; points ${points.join(' ')}`;
      });
      const n = gt.experiments.reduce((a, x) => a + x.replays.reduce((b, r) => b + r.points.length, 0), 0);
      process.stdout.write(
        `${file}: OK, ${gt.experiments.length} experiments, ${n} points\n${lines.join('\n')}\n`,
      );
    });
}
