import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readEvals } from '../../src/tune/checkpoint.ts';
import { BIN, REPO } from '../support/cli.ts';

interface Container {
  image: string;
  workingDir: string;
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
}
interface JobManifest {
  kind: string;
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: { spec: { containers: Container[] } };
  };
}

const manifest = (name: string) =>
  parse(readFileSync(join(REPO, 'deploy', 'k8s', name), 'utf8')) as JobManifest;
const SHARDS = manifest('tune-shards.yaml');
const MERGE = manifest('tune-merge.yaml');
const container = (job: JobManifest) => job.spec.template.spec.containers[0]!;
const envOf = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));

// The fixture's fit: two models (two folds and the final search: 3 searches, one per shard).
const FIXTURE = {
  GROUND_TRUTH: 'test/fixtures/gt/staged.json',
  JOBS: '1',
  SHARDS: '3',
  TUNE_ARGS: [
    '--latency-model roofline-v1 --hardware H100 --hardware-config hardware_config.blis-v0.6.1.json',
    '--param mfuDecode=0.08:0.2:0.04 --param TOverheadMicros=0:1500:500 --method nelder-mead --max-evals 8',
  ].join(' '),
};

/** `blis-eval` on PATH, as the image links it. */
function binDir(root: string): string {
  const dir = join(root, 'bin');
  mkdirSync(dir);
  symlinkSync(BIN, join(dir, 'blis-eval'));
  return dir;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Runs a container's command and args, exactly as the manifest gives them, with its env and ours. */
function runContainer(c: Container, env: Record<string, string>, started?: (p: ChildProcess) => void) {
  const [cmd, ...pre] = c.command;
  // workingDir is /app in the image: the repository's root here.
  const p = spawn(cmd!, [...pre, ...c.args], { cwd: REPO, env: { ...process.env, ...envOf(c), ...env } });
  started?.(p);
  return new Promise<Exit>((resolve) => {
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** Kills the process once `file` has `lines` complete lines: a pod lost half-way through. */
function killWhen(p: ChildProcess, file: string, lines: number) {
  const timer = setInterval(() => {
    const n = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
    if (n >= lines) {
      clearInterval(timer);
      p.kill('SIGKILL');
    }
  }, 5);
  p.on('close', () => clearInterval(timer));
}

describe('deploy/k8s manifests', () => {
  it('are an Indexed Job whose SHARDS matches its completions, and a merge Job on the same run folder', () => {
    const shard = container(SHARDS);
    const merge = container(MERGE);
    expect([SHARDS.kind, SHARDS.spec.completionMode, MERGE.kind]).toEqual(['Job', 'Indexed', 'Job']);
    expect(Number(envOf(shard).SHARDS)).toBe(SHARDS.spec.completions);
    expect(SHARDS.spec.parallelism).toBe(SHARDS.spec.completions);
    expect(envOf(merge).RUN).toBe(envOf(shard).RUN);
    expect(merge.image).toBe(shard.image);
    // docs/tuning.md points at the files instead of holding copies that could drift.
    const doc = readFileSync(join(REPO, 'docs', 'tuning.md'), 'utf8');
    expect(doc).toContain('(../deploy/k8s/tune-shards.yaml)');
    expect(doc).toContain('(../deploy/k8s/tune-merge.yaml)');
    expect(doc).not.toContain('kind: Job');
  });

  it("runs the shard and merge commands as written: a shard killed half-way resumes, and the merged fit is one machine's", async () => {
    const root = mkdtempSync(join(tmpdir(), 'k8s-'));
    const run = join(root, 'run-1');
    const env = { ...FIXTURE, RUN: run, PATH: `${binDir(root)}:${process.env.PATH}` };
    const shard = container(SHARDS);
    const index = (k: number) => ({ ...env, JOB_COMPLETION_INDEX: String(k - 1) });
    const evals = (k: number) => join(run, `shard-${k}`, 'evals.jsonl');

    // Three pods at once; the first is lost after its second evaluation, then retried.
    const [lost, ...others] = await Promise.all([
      runContainer(shard, index(1), (p) => killWhen(p, evals(1), 2)),
      runContainer(shard, index(2)),
      runContainer(shard, index(3)),
    ]);
    expect(lost.signal).toBe('SIGKILL');
    for (const r of others) expect(r).toMatchObject({ code: 0 });
    const saved = readEvals(join(run, 'shard-1')).size;
    expect(saved).toBeGreaterThanOrEqual(2);
    const retried = await runContainer(shard, index(1));
    expect(retried.code, retried.err).toBe(0);
    // It carried on from its checkpoint: only what was missing was evaluated.
    const added = Number(/shard 1\/3: (\d+) evaluations/.exec(retried.out)![1]);
    expect(added).toBeGreaterThan(0);
    expect(saved + added).toBe(readEvals(join(run, 'shard-1')).size);

    const merged = await runContainer(container(MERGE), env);
    expect(merged.code, merged.err).toBe(0);

    // The same fit on one machine, into a copy of the same file.
    const single = join(root, 'single');
    mkdirSync(single);
    copyFileSync(join(REPO, 'hardware_config.json'), join(single, 'hardware_config.json'));
    const one = await runContainer(
      {
        ...shard,
        args: [
          `exec blis-eval tune --ground-truth "$GROUND_TRUTH" $TUNE_ARGS --jobs 1 --quiet --out ${single}/run --write ${single}/hardware_config.json`,
        ],
      },
      env,
    );
    expect(one.code, one.err).toBe(0);
    const result = (dir: string) => JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result(join(run, 'merged'))).toEqual(result(join(single, 'run')));
    expect(readFileSync(join(run, 'hardware_config.json'), 'utf8')).toBe(
      readFileSync(join(single, 'hardware_config.json'), 'utf8'),
    );
  }, 120_000);
});
