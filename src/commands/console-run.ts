import { Progress } from '../eval/progress.ts';

/** What a long command's work gets: Ctrl-C as a signal, and progress and warning sinks. */
export interface ConsoleHooks {
  signal: AbortSignal;
  /** Starts a progress bar over `jobs` (a new bar each call: tune runs batches). */
  onStart: (jobs: number) => void;
  onJobDone: () => void;
  onWarning: (message: string) => void;
}

/**
 * Runs a long command's work with Ctrl-C turned into an abort (the work decides what a
 * partial result is), a progress bar on stderr and warnings on stderr unless quiet.
 */
export async function runWithConsole<T>(
  o: { label: string; quiet: boolean; onInterrupt?: string },
  work: (hooks: ConsoleHooks) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (o.onInterrupt) process.stderr.write(`\ninterrupted: ${o.onInterrupt}\n`);
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let progress: Progress | null = null;
  try {
    return await work({
      signal: controller.signal,
      onStart: (n) => {
        progress = new Progress(n, o.label, process.stderr, !o.quiet);
      },
      onJobDone: () => progress?.tick(),
      onWarning: (m) => {
        if (!o.quiet) process.stderr.write(`warning: ${m}\n`);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
