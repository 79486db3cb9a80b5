import type { SimRequest } from './request.ts';
import type { WaitQueue } from './wait-queue.ts';

export const PRIORITY_POLICIES = ['constant', 'slo-based', 'inverted-slo'] as const;
export const SCHEDULERS = ['fcfs', 'priority-fcfs', 'sjf', 'reverse-priority'] as const;
export type PriorityPolicy = (typeof PRIORITY_POLICIES)[number];
export type SchedulerName = (typeof SCHEDULERS)[number];

/** Priority of a queued request at `now` (reference §6). */
export function priorityOf(policy: PriorityPolicy, r: SimRequest, now: number): number {
  switch (policy) {
    case 'constant':
      return 0;
    case 'slo-based':
      return 0 + 1e-6 * (now - r.arrival);
    case 'inverted-slo':
      return 0 - 1e-6 * (now - r.arrival);
  }
}

// Go compares strings bytewise; IDs are ASCII so < on JS strings agrees.
function byIdThenArrival(a: SimRequest, b: SimRequest): number {
  if (a.arrival !== b.arrival) return a.arrival - b.arrival;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const COMPARATORS: Record<Exclude<SchedulerName, 'fcfs'>, (a: SimRequest, b: SimRequest) => number> = {
  'priority-fcfs': (a, b) => (a.priority !== b.priority ? b.priority - a.priority : byIdThenArrival(a, b)),
  sjf: (a, b) => (a.inputLen !== b.inputLen ? a.inputLen - b.inputLen : byIdThenArrival(a, b)),
  'reverse-priority': (a, b) => (a.priority !== b.priority ? a.priority - b.priority : byIdThenArrival(a, b)),
};

/** Recomputes priorities and reorders the WaitQ with a stable sort (FCFS leaves it alone). */
export function orderWaitQueue(
  q: WaitQueue,
  policy: PriorityPolicy,
  scheduler: SchedulerName,
  now: number,
): void {
  if (policy !== 'constant') {
    for (let i = 0; i < q.length; i++) {
      const r = q.at(i);
      r.priority = priorityOf(policy, r, now);
    }
  }
  if (scheduler === 'fcfs' || q.length < 2) return;
  const items = q.toArray();
  items.sort(COMPARATORS[scheduler]);
  q.replace(items);
}
