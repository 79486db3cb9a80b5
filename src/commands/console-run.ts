import { Progress } from '../eval/progress.ts';

/** What a long command's work gets: Ctrl-C as a signal, and progress and warning sinks. */
export interface ConsoleHooks {
  signal: AbortSignal;
  /** Starts a progress bar over `jobs` (a new bar each call: tune runs batches), optionally relabelled. */
  onStart: (jobs: number, label?: string) => void;
  onJobDone: () => void;
  onWarning: (message: string) => void;
}

/**
 * The signals that stop a run cleanly: Ctrl-C, a container's or service manager's SIGTERM,
 * and SIGHUP when the terminal goes away.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs a long command's work with a stop signal turned into an abort (the work decides what a
 * partial result is), a progress bar on stderr and warnings on stderr unless quiet.
 */
export async function runWithConsole<T>(
  o: { label: string; quiet: boolean; onInterrupt?: string },
  work: (hooks: ConsoleHooks) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (o.onInterrupt) process.stderr.write(`\ninterrupted (${sig}): ${o.onInterrupt}\n`);
    controller.abort();
  };
  for (const sig of STOP_SIGNALS) process.once(sig, onSignal);
  let progress: Progress | null = null;
  try {
    return await work({
      signal: controller.signal,
      onStart: (n, label) => {
        progress = new Progress(n, label ?? o.label, process.stderr, !o.quiet);
      },
      onJobDone: () => progress?.tick(),
      onWarning: (m) => {
        if (o.quiet) return;
        // A warning gets its own line, never the progress bar's.
        if (progress) progress.note(`warning: ${m}`);
        else process.stderr.write(`warning: ${m}\n`);
      },
    });
  } finally {
    for (const sig of STOP_SIGNALS) process.removeListener(sig, onSignal);
  }
}
