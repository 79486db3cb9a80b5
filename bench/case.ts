// Runs one benchmark case in its own process so that its peak RSS is its own.
import { runCluster } from '../src/sim/cluster.ts';
import { clusterConfig } from '../src/sim/cluster-config.ts';
import { summarize } from '../src/sim/metrics.ts';
import { distributionRequests } from '../src/workload/distribution.ts';
import { CASES } from './cases.ts';

const c = CASES.find((x) => x.name === process.argv[2]);
if (!c) throw new Error(`unknown case ${process.argv[2]}`);
const [t0, c0] = [performance.now(), process.cpuUsage()];
const res = runCluster(clusterConfig(c.cluster), c.latency(), {
  [Symbol.iterator]: () => distributionRequests(c.params, 42),
});
const m = summarize(res.instances, Number.POSITIVE_INFINITY, 'cluster');
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
process.stdout.write(
  `${JSON.stringify({
    name: c.name,
    requests: c.params.numRequests,
    completed: m.completed_requests,
    wallS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    reqPerS: c.params.numRequests / wallS,
    blisReqPerS: c.blisReqPerS,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
