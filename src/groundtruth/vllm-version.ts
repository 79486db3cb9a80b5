/**
 * vLLM versions as runs record them, and what a version implies about how its engine
 * schedules (the importer's batch defaults read the same parser).
 */

/** `v0.10.1.1`, `0.11.0`, `0.8.3+cu124` → [major, minor]; undefined when unreadable. */
export function versionOf(text: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export const atLeast = (v: readonly [number, number], major: number, minor: number): boolean =>
  v[0] > major || (v[0] === major && v[1] >= minor);

/**
 * The first vLLM release whose engine schedules asynchronously (the CPU prepares step n + 1
 * while the GPU runs step n) without being asked: v0.14.0, "Async scheduling is now enabled by
 * default" (release notes; vllm-project/vllm PR #27614). Before it, `--async-scheduling` was
 * an experimental opt-in (from v0.10) and the default engine ran its CPU work between steps.
 */
export const ASYNC_DEFAULT_FROM: readonly [number, number] = [0, 14];

/** Whether the server scheduled asynchronously, and how that is known. */
export interface SchedulingMode {
  /** null: neither a flag nor a readable version says. */
  readonly async: boolean | null;
  readonly why: string;
}

/**
 * How a server scheduled: the stated switch (`--async-scheduling` / `--no-async-scheduling`)
 * wins; else its version's default (on from 0.14); else unknown.
 */
export function schedulingMode(version: string | null, stated: boolean | null | undefined): SchedulingMode {
  if (typeof stated === 'boolean') {
    return { async: stated, why: `async_scheduling ${stated ? 'on' : 'off'} as the server was started` };
  }
  const v = version === null ? undefined : versionOf(version);
  if (v === undefined) return { async: null, why: 'vLLM version not recorded' };
  const on = atLeast(v, ...ASYNC_DEFAULT_FROM);
  return {
    async: on,
    why: `vLLM ${version}: async scheduling ${on ? 'on by default from' : 'off by default before'} 0.14`,
  };
}
