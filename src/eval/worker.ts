import { runJob } from './job.ts';
import type { EvalJob, JobOutput } from './job-types.ts';

/** What the pool sends a worker: a job and its wall-clock deadline (0 = none). */
export type WorkerTask = EvalJob & { deadline: number };

export default function run(task: WorkerTask): JobOutput {
  return runJob(task, task.deadline);
}
