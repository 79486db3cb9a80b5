import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { LATENCY_MODELS, type LatencyModelName } from '../latency/types.ts';
import { ATTENTION_WINDOW_MODES } from '../latency/window-guard.ts';
import { resolveData } from '../paths.ts';
import { stepTable } from '../report/step-table.ts';
import { addConfigOptions, MFU_TRANSFER_DEFAULT, ownModelConfig } from './eval-options.ts';
import { oneOf } from './run-setup.ts';
import { type BatchGroup, decodeGroup, expandGroups, parseBatchJson, prefillGroup } from './step-batch.ts';
import { type StepAnswer, stepAnswers } from './step-models.ts';

interface StepFlags {
  model?: string;
  hardware?: string;
  tp?: string;
  latencyModel?: string[];
  batch?: string;
  prefill?: string[];
  decode?: string[];
  json?: boolean;
  hardwareConfig: string;
  modelConfigFolder: string;
  modelConfig: string[];
  benchDataPath: string;
  defaultsFilepath: string;
  mfuTransfer?: string;
  attentionWindow: string;
  betaCoeffs?: string;
  alphaCoeffs?: string;
}

/** `blis-eval step`: what one batch costs under each latency model. */
export function registerStep(program: Command): void {
  const step = program
    .command('step')
    .description('step time of one batch under each latency model (a calculator; what parity tests drive)')
    .option('--model <id>', 'model id (its config.json under --model-config-folder)')
    .option('--hardware <gpu>', 'GPU name or alias in the hardware config')
    .option('--tp <n>', 'tensor parallelism')
    .option('--latency-model <name...>', `latency models (default: ${LATENCY_MODELS.join(' ')})`)
    .option(
      '--batch <file>',
      "JSON array of request groups {count, input_len, progress, new_tokens, output_so_far, output_len}; '-' = stdin",
    )
    .option('--prefill <tokens@prompt...>', 'a prefill request: <tokens>[@<prompt len>] (repeatable)')
    .option('--decode <count@context...>', 'decode requests: <count>@<context> (repeatable)')
    .option('--json', 'machine-readable output', false)
    .option(
      '--attention-window <mode>',
      'sliding-window / chunked attention: blis (every layer attends to the whole sequence, as BLIS) or model (windowed layers cost what they attend to, as the evaluator does)',
      'blis',
    );
  addConfigOptions(step)
    .option(
      '--beta-coeffs <list>',
      'trained-physics betas (BLIS slot order), replacing the hardware config set',
    )
    .option('--alpha-coeffs <list>', 'trained-physics alphas (α0, α1, α2), replacing the hardware config set')
    .action((o: StepFlags, cmd: Command) => {
      const isDefault = (k: string) => cmd.getOptionValueSource(k) === 'default';
      // Every flag problem at once, so one run names them all.
      const problems: string[] = [];
      const check = <T>(f: () => T): T | undefined => {
        try {
          return f();
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          problems.push(e.message);
          return undefined;
        }
      };
      if (!o.model) problems.push('--model <id> is required');
      if (!o.hardware) problems.push('--hardware <gpu> is required');
      const tp = Number(o.tp);
      if (!Number.isInteger(tp) || tp < 1)
        problems.push(`--tp must be a positive integer, got '${o.tp ?? ''}'`);
      const models = check(() => latencyModels(o.latencyModel));
      const attentionWindow = check(() =>
        oneOf('attention-window', o.attentionWindow, ATTENTION_WINDOW_MODES),
      );
      const batch = check(() => expandGroups(groups(o)));
      const beta =
        o.betaCoeffs === undefined ? undefined : check(() => numbers('--beta-coeffs', o.betaCoeffs!));
      const alpha =
        o.alphaCoeffs === undefined ? undefined : check(() => numbers('--alpha-coeffs', o.alphaCoeffs!));
      if (problems.length > 0 || !o.model || !o.hardware || !models || !batch || !attentionWindow)
        throw new InputError(
          problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`,
        );
      const answers = stepAnswers(
        models,
        {
          model: o.model,
          gpu: o.hardware,
          tp,
          hardwareConfig: resolveData(o.hardwareConfig, isDefault('hardwareConfig')),
          modelConfigs:
            ownModelConfig(o.modelConfig) ?? resolveData(o.modelConfigFolder, isDefault('modelConfigFolder')),
          benchData: resolveData(o.benchDataPath, isDefault('benchDataPath')),
          coefficients: resolveData(o.defaultsFilepath, isDefault('defaultsFilepath')),
          mfuTransfer: (o.mfuTransfer ?? MFU_TRANSFER_DEFAULT) === 'on',
          attentionWindow,
          ...(beta && { beta }),
          ...(alpha && { alpha }),
        },
        batch,
        (m) => process.stderr.write(`warning: ${m}\n`),
      );
      refuseWhenNoneApplies(answers, `${o.model} on ${o.hardware} TP ${tp}`);
      process.stdout.write(
        o.json ? `${JSON.stringify({ latency_models: answers }, null, 2)}\n` : stepTable(answers),
      );
    });
}

/** Bad input (exit 2) when no latency model applies: each model's reason, models sharing one together. */
function refuseWhenNoneApplies(answers: Record<string, StepAnswer>, what: string): void {
  const why = new Map<string, string[]>();
  for (const [name, a] of Object.entries(answers)) {
    if (!('not_applicable' in a)) return;
    why.set(a.not_applicable, [...(why.get(a.not_applicable) ?? []), name]);
  }
  const lines = [...why].map(([reason, names]) => `  ${names.join(', ')}: ${reason}`);
  throw new InputError(`no latency model applies to ${what}:\n${lines.join('\n')}`);
}

function latencyModels(given: string[] | undefined): LatencyModelName[] {
  if (!given) return [...LATENCY_MODELS];
  const names = given.flatMap((g) => g.split(',')).map((s) => s.trim());
  for (const n of names) {
    if (!(LATENCY_MODELS as readonly string[]).includes(n))
      throw new InputError(`--latency-model: unknown '${n}' (choose ${LATENCY_MODELS.join(', ')})`);
  }
  return [...new Set(names)] as LatencyModelName[];
}

function groups(o: StepFlags): BatchGroup[] {
  const built = [...(o.prefill ?? []).map(prefillGroup), ...(o.decode ?? []).map(decodeGroup)];
  if (o.batch !== undefined) {
    if (built.length > 0) throw new InputError('give --batch or --prefill/--decode, not both');
    const source = o.batch === '-' ? 'stdin' : o.batch;
    let text: string;
    try {
      text = readFileSync(o.batch === '-' ? 0 : o.batch, 'utf8');
    } catch (e) {
      throw new InputError(`--batch ${source}: cannot read (${(e as Error).message})`);
    }
    return parseBatchJson(text, source);
  }
  if (built.length === 0) throw new InputError('give the batch: --batch <file|-> or --prefill/--decode');
  return built;
}

function numbers(flag: string, text: string): number[] {
  const v = text.split(',').map((x) => Number(x.trim()));
  if (text.trim() === '' || v.some((x) => !Number.isFinite(x)))
    throw new InputError(`${flag} '${text}': expected comma-separated numbers`);
  return v;
}
