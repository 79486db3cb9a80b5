import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { createPatch } from 'diff';
import { AbortedError, EXIT, InputError } from '../errors.ts';
import { StatusLine } from '../eval/progress.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { METRICS } from '../groundtruth/experiment.ts';
import { fileStamp } from '../paths.ts';
import { renderTuneHtml } from '../report/tune-html.ts';
import { renderTuneMd } from '../report/tune-md.ts';
import { endsWithNewline, readState } from '../tune/checkpoint.ts';
import type { TuneOutcome } from '../tune/outcome.ts';
import { runTune, type TuneSettings } from '../tune/session.ts';
import { replaceFileSafely } from '../tune/writeback.ts';
import { runWithConsole } from './console-run.ts';
import { addInputOptions, addSelectionOptions, int, list, parseInputOptions } from './eval-options.ts';
import { tuneProgress } from './tune-progress.ts';
import { tuneSettings, writeBackPlan } from './tune-setup.ts';

/** `blis-eval tune` and `blis-eval tune merge`. */
export function registerTune(program: Command): void {
  const tuneCmd = addSelectionOptions(
    addInputOptions(
      program.command('tune').description('cross-validated calibration search; writes winners back'),
    ),
  )
    .addOption(
      new Option('--latency-model <name>', 'model to calibrate').choices([
        'roofline-v1',
        'roofline-v2',
        'blackbox',
        'trained-physics',
      ]),
    )
    .option('--beta-coeffs <list>', "trained-physics: starting betas (BLIS slot order), replacing the file's")
    .option('--alpha-coeffs <list>', "trained-physics: starting alphas (α0, α1, α2), replacing the file's")
    .option('--hardware <gpu>', 'GPU whose calibration is tuned (H100, A100-80GB, …)')
    .option('--model <id>', 'blackbox: model id whose coefficients are fitted')
    .option('--tp <n>', 'blackbox: tensor parallelism of the fitted row')
    .option(
      '--param <spec...>',
      'name=lo:hi:step: search that range (ranges replace the shipped search space); name=value: pin a field, added to the space searched (repeatable)',
    )
    .option('--grid <file>', 'search space as JSON: {"field": {"lo":…,"hi":…,"step":…}}')
    .option('--objective <list>', 'metrics averaged into the objective', 'e2e_mean,ttft_mean,itl_mean')
    .option(
      '--cv <spec>',
      'leave-one-model-out | k-fold:N | none (blackbox default: k-fold:N over its experiments)',
    )
    .option('--max-evals <n>', 'distinct candidates per search (per fold)', '60')
    .addOption(
      new Option('--objective-agg <agg>', "how experiments combine: mean, or rmse (BLIS's loss)").choices([
        'mean',
        'rmse',
      ]),
    )
    .option('--objective-weights <list>', "metric=weight,… weighs the objective's metrics (default 1 each)")
    .addOption(
      new Option('--method <m>', 'search method')
        .choices(['auto', 'grid', 'nelder-mead', 'compass', 'pattern'])
        .default('auto'),
    )
    .option(
      '--include-failing',
      'keep experiments whose server failed > 5 % of requests (left out by default: censored latencies)',
    )
    .option(
      '--fidelity <f>',
      'searches replay only this fraction of each stage (default 0.1; 1: full replays; reported figures are full replays)',
    )
    .option(
      '--polish <n>',
      'after the final partial-replay search, up to n full-replay candidates around its winner (default: 2 per field)',
    )
    .option(
      '--race <margin>',
      'screen candidates on a quarter of the experiments first; stop those estimated > margin above the bar (off: full runs)',
    )
    .option(
      '--write <file>',
      'file to write the winners into (default: the hardware config, or the coefficient table for blackbox)',
    )
    .option('--dry-run', 'print the diff, write nothing', false)
    .option('--force', 'write even if the cross-validated error does not improve', false)
    .option('--out <dir>', 'checkpoint and report folder (default reports/tune-<time>)')
    .option('--resume <dir>', 'continue an interrupted run from its folder')
    .option(
      '--shard <k/N>',
      'run the k-th of N parts (grid points, or whole searches), then stop (see tune merge)',
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const given = (f: string) => command.getOptionValueSource(f) === 'cli';
      // `--resume <dir>` alone: the checkpoint holds every setting of the run.
      if (typeof raw.resume === 'string' && raw.latencyModel === undefined) {
        const s = resumeSettings(raw.resume, raw, given);
        const out = s.output ?? {};
        process.exitCode = await execute(s, {
          ...raw,
          ...(out.write !== undefined && !given('write') && { write: out.write }),
          dryRun: raw.dryRun === true || out.dryRun === true,
        });
        return;
      }
      const base = parseInputOptions(raw, given);
      const s = tuneSettings(raw, base, {
        objective: list('objective', raw.objective, METRICS),
        maxEvals: int('max-evals', raw.maxEvals, 1),
      });
      process.exitCode = await execute(s, raw);
    });
  tuneCmd
    .command('merge')
    .description('combine shard folders, finish the selection and write back')
    .argument('<dirs...>', 'shard folders written by tune --shard')
    .option('--out <dir>', 'merged folder (default reports/tune-merged-<time>)')
    .option('--jobs <n>', 'worker threads', '1')
    .option('--write <file>', 'file to write the winners into')
    .option('--dry-run', 'print the diff, write nothing', false)
    .option('--force', 'write even if the cross-validated error does not improve', false)
    .action(async (dirs: string[], raw: Record<string, unknown>) => {
      process.exitCode = await execute(mergeShards(dirs, raw), raw);
    });
}

/** Settings of the shards (which must agree) and a fresh folder holding all their evaluations. */
function mergeShards(dirs: string[], raw: Record<string, unknown>): TuneSettings {
  const states = dirs.map((d) => readState(d));
  const fp = JSON.stringify(states[0]!.fingerprint);
  states.forEach((st, i) => {
    if (JSON.stringify(st.fingerprint) !== fp)
      throw new InputError(`${dirs[i]}: shard of a different tuning run`);
  });
  const out = typeof raw.out === 'string' ? raw.out : join('reports', `tune-merged-${fileStamp()}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'evals.jsonl'), dirs.map((d) => readOr(join(d, 'evals.jsonl'))).join(''));
  const settings = states[0]!.settings as Omit<TuneSettings, 'dir' | 'resume' | 'explicit'>;
  writeFileAtomic(
    join(out, 'state.json'),
    `${JSON.stringify({ fingerprint: states[0]!.fingerprint, settings }, null, 2)}\n`,
  );
  return { ...settings, explicit: new Set(), jobs: int('jobs', raw.jobs, 1), dir: out, resume: true };
}

/** The settings a checkpoint was started with; `--jobs` and `--quiet` may be given anew. */
export function resumeSettings(
  dir: string,
  raw: Record<string, unknown>,
  given: (flag: string) => boolean,
): TuneSettings {
  const st = readState(dir);
  const saved = st.settings as Omit<TuneSettings, 'dir' | 'resume' | 'explicit'>;
  const shard = st.shard?.split('/').map(Number);
  return {
    ...saved,
    explicit: new Set(),
    ...(given('jobs') && { jobs: int('jobs', raw.jobs, 1) }),
    ...(given('quiet') && { quiet: raw.quiet === true }),
    dir,
    resume: true,
    ...(shard && { shard: { k: shard[0]!, n: shard[1]! } }),
  };
}

/** A shard's evaluations, ending its last line (a shard killed mid-line may not have). */
function readOr(p: string): string {
  const text = existsSync(p) ? readFileSync(p, 'utf8') : '';
  return endsWithNewline(text) ? text : `${text}\n`;
}

async function execute(s: TuneSettings, raw: Record<string, unknown>): Promise<number> {
  let outcome: TuneOutcome;
  try {
    // One progress line for the run (not a bar per batch): fold k of n, candidates, one ETA.
    const { end, ...progress } = tuneProgress(new StatusLine(process.stderr, !s.quiet));
    try {
      outcome = await runWithConsole({ label: 'tuning', quiet: s.quiet }, (hooks) =>
        runTune(s, { signal: hooks.signal, ...progress }),
      );
    } finally {
      end();
    }
  } catch (e) {
    if (e instanceof AbortedError) {
      process.stderr.write(
        `interrupted; nothing was written. Continue with: blis-eval tune … --resume ${s.dir}\n`,
      );
      return EXIT.interrupted;
    }
    throw e;
  }
  if (!outcome.result) {
    process.stdout.write(`shard ${s.shard?.k}/${s.shard?.n}: ${outcome.evaluated} evaluations in ${s.dir}\n`);
    return EXIT.ok;
  }
  const plan = writeBackPlan(s, outcome, raw);
  const dryRun = raw.dryRun === true;
  const written = outcome.result.write && !dryRun ? plan.target : null;
  const md = renderTuneMd(outcome, {
    latencyModel: s.latencyModel,
    metrics: s.objective,
    written,
    values: plan.values,
  });
  writeFileAtomic(join(s.dir, 'summary.md'), md);
  writeFileAtomic(
    join(s.dir, 'index.html'),
    await renderTuneHtml(outcome, {
      latencyModel: s.latencyModel,
      metrics: s.objective,
      written,
      values: plan.values,
    }),
  );
  writeFileAtomic(
    join(s.dir, 'result.json'),
    `${JSON.stringify({ values: plan.values, ...outcome.result }, null, 2)}\n`,
  );
  process.stdout.write(md);
  if (dryRun) {
    process.stdout.write(`\n${createPatch(plan.target, plan.oldText, plan.newText, 'current', 'fitted')}`);
  } else if (written) {
    const backup = replaceFileSafely(plan.target, plan.newText, fileStamp());
    process.stderr.write(`wrote ${plan.target} (previous version kept as ${backup})\n`);
  }
  process.stderr.write(`report: ${join(s.dir, 'summary.md')}\n`);
  return EXIT.ok;
}
