// One tuner candidate's cost without the pool: every job of the shipped ground truth (the
// tuner's default set, failing runs left out) simulated in this thread at full fidelity,
// as a worker runs them. The first candidate also generates the workloads (the worker's
// cache keeps them); later candidates only simulate. Printed, never asserted.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJob } from '../src/eval/job.ts';
import { planJobs } from '../src/eval/plan.ts';
import { workloadSource } from '../src/eval/workload-source.ts';
import { isFailingRun } from '../src/groundtruth/experiment.ts';
import { loadGroundTruth } from '../src/groundtruth/load.ts';
import type { LatencyModelName } from '../src/latency/types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function benchScore(model: LatencyModelName, candidates: number): string {
  const gt = loadGroundTruth(join(ROOT, 'eval', 'combined_ground_truth.json'));
  const experiments = gt.experiments.filter((x) => !isFailingRun(x.failedFraction));
  const jobs = planJobs(experiments, {
    latencyModels: [model],
    seeds: 1,
    paths: {
      hardwareConfig: join(ROOT, 'hardware_config.json'),
      modelConfigs: join(ROOT, 'model_configs'),
      benchData: join(ROOT, 'bench_data'),
      coefficients: join(ROOT, 'defaults.yaml'),
    },
    kvLeak: 'fixed',
  }).map((j) => ({ ...j, reuseWorkload: true }));
  let requests = 0;
  for (const j of jobs) for (const _ of workloadSource(j.replay.workload, j.experiment.seed)) requests++;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let c = 0; c < candidates; c++) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    for (const job of jobs) runJob(job);
    times.push((performance.now() - t0) / 1000);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1e6);
  }
  const [first, ...rest] = times;
  const best = Math.min(...rest);
  const bestCpu = Math.min(...cpu.slice(1));
  return [
    `score ${model}: one candidate = ${jobs.length} jobs, ${requests} requests, full replays, one thread`,
    `  first candidate (generates workloads)  ${first!.toFixed(2)} s  (CPU ${cpu[0]!.toFixed(2)} s)`,
    `  later candidates (best of ${rest.length})         ${best.toFixed(2)} s  ${(1 / best).toFixed(2)} candidates/s  ${(requests / best).toFixed(0)} requests/s  (CPU ${bestCpu.toFixed(2)} s)`,
    `  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    benchScore((process.argv[2] ?? 'roofline-v1') as LatencyModelName, Number(process.argv[3] ?? 4)),
  );
}
