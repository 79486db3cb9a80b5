import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.ts';
import { registerEval } from './commands/eval.ts';
import { registerExport } from './commands/export.ts';
import { registerImport } from './commands/import.ts';
import { registerNightly } from './commands/nightly.ts';
import { registerRun } from './commands/run.ts';
import { registerStep } from './commands/step.ts';
import { registerTune } from './commands/tune.ts';
import { registerValidate } from './commands/validate.ts';
import { EXIT, exitCodeFor } from './errors.ts';
import { VERSION } from './paths.ts';

/** Builds the commander program. Wiring only: every command's logic lives in commands/<name>.ts. */
export function buildProgram(): Command {
  const program = new Command('blis-eval')
    .description('Evaluate and calibrate LLM-inference latency simulators against real vLLM measurements')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // Root flags stay before subcommands, so `run --hardware-config` is run's own flag.
    .enablePositionalOptions();
  registerEval(program);
  registerRun(program);
  registerStep(program);
  registerBench(program);
  registerValidate(program);
  registerTune(program);
  registerNightly(program);
  registerImport(program);
  registerExport(program);
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 threshold, 2 bad input, 3 internal). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors.
      if (err.exitCode === 0) return EXIT.ok;
      return EXIT.badInput;
    }
    process.stderr.write(`blis-eval: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeFor(err);
  }
}
