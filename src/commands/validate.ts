import type { Command } from 'commander';
import { loadInputs } from '../eval/inputs.ts';
import { formLabel } from '../groundtruth/experiment.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import { addConfigOptions, addSelectionOptions, list, parseInputOptions } from './eval-options.ts';

/**
 * `blis-eval validate <file>`: a pre-flight without simulating. The ground truth's schema, the
 * config files the evaluator would load, every experiment's GPU and model, and per experiment
 * which latency models will apply and why not. An unknown GPU or model, or an experiment no
 * selected latency model applies to, exits 2 (the main job's own check), listing them all.
 */
export function registerValidate(program: Command): void {
  addSelectionOptions(
    addConfigOptions(
      program
        .command('validate')
        .description(
          'pre-flight: check a ground-truth file against the configs, say which latency models apply',
        )
        .argument('<file>', 'ground-truth JSON'),
    ),
  )
    .option(
      '--latency-models <list>',
      `comma-separated: ${LATENCY_MODELS.join(',')}`,
      LATENCY_MODELS.join(','),
    )
    .option(
      '--workload-form <form>',
      'check the measured, executed or profile form of staged experiments',
      'measured',
    )
    .action((file: string, o: Record<string, unknown>, command: Command) => {
      const given = (f: string) => command.getOptionValueSource(f) === 'cli';
      const s = parseInputOptions({ ...o, groundTruth: file, jobs: 1, timeout: 0 }, given);
      const models = list('latency-models', o.latencyModels, LATENCY_MODELS);
      const { gt, checks = [] } = loadInputs(s, models, { applicable: true, freshChecks: true });
      const lines: string[] = [];
      for (const [i, x] of gt.experiments.entries()) {
        const points = x.replays.flatMap((r) => r.points.map((p) => p.id));
        const kv =
          x.engine.totalKvBlocks === null ? 'KV blocks derived' : `${x.engine.totalKvBlocks} KV blocks`;
        lines.push(
          `  ${x.name}: ${x.model} on ${x.gpu} TP ${x.tp}, ${formLabel(x)}, ${kv}; points ${points.join(' ')}`,
        );
        for (const m of checks[i]!.models) {
          const head = `    ${m.latencyModel}: ${m.applies ? 'applies' : 'n.a.'}`;
          lines.push(m.notes.length === 0 ? head : `${head}: ${m.notes.join('; ')}`);
        }
      }
      const n = gt.experiments.reduce((a, x) => a + x.replays.reduce((b, r) => b + r.points.length, 0), 0);
      const runnable = models.map((m) => {
        const k = checks.filter((c) => c.models.some((v) => v.latencyModel === m && v.applies)).length;
        return `${m} ${k}/${checks.length}`;
      });
      process.stdout.write(
        `${file}: OK, ${gt.experiments.length} experiments, ${n} points; experiments each latency model runs: ${runnable.join(', ')}\n${lines.join('\n')}\n`,
      );
    });
}
