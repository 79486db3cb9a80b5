/** Exit codes, one meaning each (architecture.md). */
export const EXIT = { ok: 0, threshold: 1, badInput: 2, internal: 3, interrupted: 130 } as const;

/** Bad input or usage: the message names the file, entry and field; exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The simulator cannot make progress (a BLIS livelock); reported, never hung on. */
export class NoProgressError extends Error {
  override readonly name = 'NoProgressError';
}

/** A run stopped on request (timeout, Ctrl-C). */
export class AbortedError extends Error {
  override readonly name = 'AbortedError';
}

export function exitCodeFor(err: unknown): number {
  return err instanceof InputError ? EXIT.badInput : EXIT.internal;
}
