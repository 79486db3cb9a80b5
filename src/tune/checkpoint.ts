import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import type { ExperimentScore } from './objective.ts';
import { type EvalRecord, memoKey } from './scorer.ts';

/**
 * A tuning run's folder: `state.json` (what is being tuned, on which inputs) and
 * `evals.jsonl` (every finished evaluation, appended as it completes). A run that
 * stopped for any reason continues from here without redoing work.
 */
export interface TuneState {
  /** Everything that must match for evaluations to be reused (inputs' hashes, model, params, metrics). */
  fingerprint: Record<string, unknown>;
  /** The shard this folder holds, e.g. "1/4"; absent for a whole run. */
  shard?: string;
  /** The run's settings, so `tune merge` can finish what shards started. */
  settings: unknown;
}

const STATE = 'state.json';
const EVALS = 'evals.jsonl';

export function openCheckpoint(dir: string, state: TuneState, resume: boolean): Map<string, ExperimentScore> {
  mkdirSync(dir, { recursive: true });
  const statePath = join(dir, STATE);
  if (resume) {
    const prev = readState(dir);
    if (JSON.stringify(prev.fingerprint) !== JSON.stringify(state.fingerprint)) {
      throw new InputError(
        `${statePath}: this checkpoint was made with other inputs or options; start a new run`,
      );
    }
    // A process killed mid-line leaves a partial last line: new records start on their own.
    const evals = join(dir, EVALS);
    if (existsSync(evals) && !endsWithNewline(readFileSync(evals, 'utf8'))) appendFileSync(evals, '\n');
  } else {
    // Never mix evaluations of another run (other inputs, other settings) into this one.
    if (existsSync(join(dir, EVALS))) {
      throw new InputError(
        `${dir}: already holds a tuning run; continue it with --resume ${dir} or choose another --out`,
      );
    }
    writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
  }
  return readEvals(dir);
}

export function readState(dir: string): TuneState {
  const p = join(dir, STATE);
  if (!existsSync(p)) throw new InputError(`${p}: not a tuning checkpoint (no ${STATE})`);
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as TuneState;
  } catch (e) {
    throw new InputError(`${p}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Evaluations recorded so far; a line cut short by a crash is ignored. */
export function readEvals(dir: string): Map<string, ExperimentScore> {
  const memo = new Map<string, ExperimentScore>();
  const p = join(dir, EVALS);
  if (!existsSync(p)) return memo;
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as EvalRecord;
      memo.set(memoKey(r.candidate, r.experiment), r.score);
    } catch {
      // The last line of an interrupted run may be partial: it is simply redone.
    }
  }
  return memo;
}

/** Whether a checkpoint's text ends its last line (an empty one does). */
export const endsWithNewline = (text: string): boolean => text === '' || text.endsWith('\n');

export function appendEval(dir: string, r: EvalRecord): void {
  appendFileSync(join(dir, EVALS), `${JSON.stringify(r)}\n`);
}
