import { BroadcastChannel } from 'node:worker_threads';
import { runJob } from './job.ts';
import type { EvalJob, JobOutput } from './job-types.ts';
import { WORKER_READY_CHANNEL } from './worker-ready.ts';

// Loaded: the pool may now terminate this thread safely (pool.ts, Workers.close).
const ready = new BroadcastChannel(WORKER_READY_CHANNEL);
ready.postMessage('loaded');
ready.close();

/** What the pool sends a worker: a job and its wall-clock deadline (0 = none). */
export type WorkerTask = EvalJob & { deadline: number };

export default function run(task: WorkerTask): JobOutput {
  return runJob(task, task.deadline);
}
