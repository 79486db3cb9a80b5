import { loadGroundTruth } from '/work/main/src/groundtruth/load.ts';
import { planJobs } from '/work/main/src/eval/plan.ts';
import { runJob } from '/work/main/src/eval/job.ts';
const model = (process.argv[2] ?? 'roofline-v1') as any;
const fid = Number(process.argv[3] ?? 0.2);
const gt = loadGroundTruth('/work/main/eval/combined_ground_truth.json', 'measured' as any);
const R='/work/main/';
const paths = { hardwareConfig: R+'hardware_config.json', modelConfigs: R+'model_configs', benchData: R+'bench_data', coefficients: R+'defaults.yaml' };
const jobs = planJobs(gt.experiments.filter(e=>!e.name.includes("170634")), { latencyModels: [model], seeds: 1, paths, kvLeak: 'fixed' as any });
for (let rep = 0; rep < 4; rep++) { const t = performance.now(); const per: string[] = [];
 for (const j of jobs) { const t1 = performance.now(); runJob({...j, reuseWorkload: true, ...(fid<1?{fidelity:fid}:{})} as any); per.push((performance.now()-t1).toFixed(0)); }
 console.log(model, 'ms', (performance.now()-t).toFixed(0), per.join(' ')); }
