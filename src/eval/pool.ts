import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { WORKER_READY_CHANNEL } from './worker-ready.ts';

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: string };

export interface PoolOptions<J, R> {
  workers: Workers;
  /** Seconds per job (0 = none); the job stops itself at its deadline. */
  timeoutS: number;
  /** Set by Ctrl-C: no new job starts, running ones are abandoned. */
  signal: AbortSignal;
  /** The in-process runner (same function the workers call). */
  inProcess: (job: J & { deadline: number }) => R;
  onDone: (index: number, outcome: Outcome<R>) => void;
  /** Estimated cost of a job: the costliest start first, so no long job is left for the end. */
  cost?: (job: J) => number;
}

export const defaultJobs = (): number => availableParallelism();

const WORKER = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

/**
 * Where jobs run: this thread (`jobs` 1) or piscina worker threads. Each new pool pays
 * thread start-up, module loading and JIT warm-up again, so a session keeps one for every
 * batch it runs. The threads start at the first batch: a session that fails on its inputs
 * before it runs anything never starts one.
 */
export class Workers {
  private started: Piscina | null = null;
  private loaded: Promise<void> = Promise.resolve();

  constructor(readonly jobs: number) {}

  /** The worker threads (started on first use), or null when jobs run in this thread. */
  get pool(): Piscina | null {
    if (this.jobs <= 1) return null;
    if (!this.started) {
      this.started = new Piscina({ filename: WORKER, minThreads: this.jobs, maxThreads: this.jobs });
      this.loaded = allLoaded(this.jobs);
    }
    return this.started;
  }

  /**
   * Closes the pool once every worker has loaded its module: Node aborts the whole process
   * (SIGABRT) when a worker is terminated while its module graph is being instantiated.
   */
  async close(): Promise<void> {
    if (!this.started) return;
    await this.loaded;
    await this.started.destroy();
  }
}

/** Resolves when `n` workers have announced their module loaded (or after 60 s, a backstop). */
function allLoaded(n: number): Promise<void> {
  const channel = new BroadcastChannel(WORKER_READY_CHANNEL);
  channel.unref();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(backstop);
      channel.close();
      resolve();
    };
    const backstop = setTimeout(done, 60_000);
    backstop.unref();
    channel.onmessage = () => {
      if (++seen >= n) done();
    };
  });
}

/** Runs `f` with workers for `jobs`, closing them however `f` ends. */
export async function withWorkers<T>(jobs: number, f: (w: Workers) => Promise<T>): Promise<T> {
  const w = new Workers(jobs);
  try {
    return await f(w);
  } finally {
    await w.close();
  }
}

/**
 * Runs every job once, on the worker pool (p-limit bounds the jobs in flight) or in this
 * thread. A job that throws or passes its deadline is reported as a
 * failed outcome; the others go on. Outcomes are reported as they finish; callers sort.
 */
export async function runJobs<J extends object, R>(jobs: readonly J[], o: PoolOptions<J, R>): Promise<void> {
  const deadline = () => (o.timeoutS > 0 ? Date.now() + o.timeoutS * 1000 : 0);
  const order = jobs.map((_, i) => i);
  if (o.cost) {
    const c = jobs.map(o.cost);
    order.sort((a, b) => c[b]! - c[a]! || a - b);
  }
  const pool = o.workers.pool;
  if (pool === null) {
    for (const i of order) {
      // Yield between jobs so a Ctrl-C handler gets to run.
      await new Promise((r) => setImmediate(r));
      if (o.signal.aborted) return;
      o.onDone(
        i,
        capture(() => o.inProcess({ ...jobs[i]!, deadline: deadline() })),
      );
    }
    return;
  }
  const limit = pLimit(o.workers.jobs * 2);
  await Promise.all(
    order.map((i) =>
      limit(async () => {
        const job = jobs[i]!;
        if (o.signal.aborted) return;
        try {
          const value = (await pool.run({ ...job, deadline: deadline() }, { signal: o.signal })) as R;
          o.onDone(i, { ok: true, value });
        } catch (e) {
          if (!o.signal.aborted) o.onDone(i, { ok: false, error: message(e) });
        }
      }),
    ),
  );
}

function capture<R>(f: () => R): Outcome<R> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: message(e) };
  }
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}
