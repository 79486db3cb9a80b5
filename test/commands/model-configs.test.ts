import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../import/helpers.ts';
import { runCli } from '../support/cli.ts';

/**
 * Unknown and unrepresentable models end to end: every problem of a file listed at once with
 * exit 2, --only / --exclude to go on without them, and a model added only through
 * --model-config on validate, the evaluator, step, run and import.
 */
const FIX = resolve('test/fixtures/gt/qps-sweep.json');
const LLAMA = resolve('model_configs/llama-3.1-8b-instruct/config.json');
const tmp = () => mkdtempSync(join(tmpdir(), 'model-configs-'));

/** The qps-sweep experiment once per [name, model, GPU], written to dir/gt.json. */
function groundTruth(dir: string, rows: readonly (readonly [string, string, string])[]): string {
  const gt = JSON.parse(readFileSync(FIX, 'utf8'));
  const base = gt.experiments[0];
  gt.experiments = rows.map(([name, model, hardware]) => ({
    ...structuredClone(base),
    experiment_name: name,
    model,
    hardware,
  }));
  writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
  return join(dir, 'gt.json');
}

/** `dir/models/<folder>/config.json`, a copy of a shipped config (or the given JSON). */
function modelFolder(dir: string, folder: string, json?: unknown): string {
  const at = join(dir, 'models', folder);
  mkdirSync(at, { recursive: true });
  if (json === undefined) cpSync(LLAMA, join(at, 'config.json'));
  else writeFileSync(join(at, 'config.json'), JSON.stringify(json));
  return at;
}

const OPT = {
  architectures: ['OPTForCausalLM'],
  model_type: 'opt',
  hidden_size: 768,
  num_attention_heads: 12,
  num_hidden_layers: 12,
  ffn_dim: 3072,
  vocab_size: 50272,
  torch_dtype: 'float16',
};

describe('a file with several problems', () => {
  const dir = tmp();
  const gt = groundTruth(dir, [
    ['a', 'foo/bar-13b', 'H100'],
    ['b', 'meta-llama/Llama-3.1-8B-Instruct', 'B300'],
    ['c', 'facebook/opt-125m', 'H100'],
    ['d', 'foo/bar-13b', 'H100'],
    ['e', 'meta-llama/Llama-3.1-8B-Instruct', 'H100'],
  ]);
  const opt = ['--model-config', modelFolder(dir, 'opt-125m', OPT)];

  it('validate and the evaluator list every unknown model and GPU and every experiment nothing runs, exit 2', () => {
    for (const args of [
      ['validate', gt, ...opt],
      ['--ground-truth', gt, ...opt, '--quiet', '--out', 'r'],
    ]) {
      const r = runCli(args, dir);
      expect(r.code, args[0]).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain('gt.json: 3 problems:');
      expect(r.err).toMatch(
        /gt\.json: experiments\[0\] "a", \[3\] "d": unknown model 'foo\/bar-13b': no model config under .*model_configs and no coefficient row in .*defaults\.yaml; add \S*model_configs\/bar-13b\/config\.json \(the model's Hugging Face config\.json\) or pass --model-config <config\.json\|dir>/,
      );
      expect(r.err).toMatch(
        /gt\.json: experiments\[1\] "b": unknown GPU 'B300': not in .*hardware_config\.json/,
      );
      expect(r.err).toMatch(
        /gt\.json: experiments\[2\] "c": no latency model applies \(blackbox: no blackbox coefficients for facebook\/opt-125m on H100 TP 1 \| roofline-v1, roofline-v2, trained-physics: .*opt-125m\/config\.json: unsupported architecture 'OPTForCausalLM'/,
      );
      expect(r.err).toContain('--exclude <name|glob> or --only <name|glob> leaves experiments out');
    }
    expect(existsSync(join(dir, 'r'))).toBe(false);
  });

  it('--exclude and --only leave them out (globs); a pattern matching nothing is bad input', () => {
    const ok = runCli(['validate', gt, ...opt, '--exclude', '[a-d]'], dir);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/gt\.json: OK, 1 experiments, 2 points/);
    expect(runCli(['validate', gt, ...opt, '--only', 'e'], dir).code).toBe(0);
    const typo = runCli(['validate', gt, '--exclude', 'f*'], dir);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(
      /--exclude 'f\*': matches no experiment of .*gt\.json \(experiments: a, b, c, d, e\)/,
    );
  });

  it('the evaluator runs what --only keeps and says so in its report', () => {
    const r = runCli(
      [
        '--ground-truth',
        gt,
        '--only',
        'e',
        '--latency-models',
        'roofline-v1',
        '--jobs',
        '1',
        '--quiet',
      ].concat(['--out', 'r', '--format', 'json']),
      dir,
    );
    expect(r.code, r.err).toBe(0);
    const run = JSON.parse(r.out);
    expect(run.options.only).toEqual(['e']);
    expect(run.experiments.map((x: { name: string }) => x.name)).toEqual(['e']);
    expect(readFileSync(join(dir, 'r', 'summary.md'), 'utf8')).toContain('; only e');
  });
});

describe('a model added only through --model-config', () => {
  const dir = tmp();
  const gt = groundTruth(dir, [['x', 'foo/bar-13b', 'H100']]);
  const folder = modelFolder(dir, 'bar-13b');
  const evalArgs = ['--latency-models', 'roofline-v1', '--jobs', '1', '--quiet', '--format', 'json'];

  it('validate: unknown without it (naming the file to add), OK with its folder, its file or <model>=<file>', () => {
    expect(runCli(['validate', gt], dir).err).toMatch(/add \S*model_configs\/bar-13b\/config\.json/);
    for (const given of [folder, join(folder, 'config.json'), `foo/bar-13b=${join(folder, 'config.json')}`]) {
      const r = runCli(['validate', gt, '--model-config', given], dir);
      expect(r.code, given).toBe(0);
      expect(r.out).toContain('roofline-v1 1/1');
    }
  });

  it('the evaluator predicts what the same config gives under the shipped name, and names the config in its inputs', () => {
    const own = JSON.parse(
      runCli(['--ground-truth', gt, '--model-config', folder, '--out', 'a', ...evalArgs], dir).out,
    );
    const shipped = groundTruth(tmp(), [['x', 'meta-llama/Llama-3.1-8B-Instruct', 'H100']]);
    const ref = JSON.parse(
      runCli(['--ground-truth', shipped, '--out', join(dir, 'b'), ...evalArgs], dir).out,
    );
    const predicted = (run: { points: { predicted: unknown }[] }) => run.points.map((p) => p.predicted);
    expect(own.points.length).toBe(2);
    expect(predicted(own)).toEqual(predicted(ref));
    expect(own.inputs.modelConfigs.path).toMatch(/model_configs \+ .*models\/bar-13b$/);
    expect(own.inputs.modelConfigs.sha256).not.toBe(ref.inputs.modelConfigs.sha256);
  });

  it('step and run take it for --model', () => {
    const step = (model: string, ...more: string[]) =>
      runCli(
        ['step', '--model', model, '--hardware', 'H100', '--tp', '1', '--decode', '8@1000', '--json'].concat(
          more,
        ),
        dir,
      );
    const own = step('foo/bar-13b', '--latency-model', 'roofline-v1', '--model-config', folder);
    expect(own.code, own.err).toBe(0);
    const ref = step('meta-llama/Llama-3.1-8B-Instruct', '--latency-model', 'roofline-v1');
    expect(JSON.parse(own.out)).toEqual(JSON.parse(ref.out));
    const run = (...more: string[]) =>
      runCli(
        ['run', '--model', 'foo/bar-13b', '--hardware', 'H100', '--tp', '1', '--num-requests', '5', ...more],
        dir,
      );
    const ran = run('--latency-model', 'roofline-v1', '--model-config', folder);
    expect(ran.code, ran.err).toBe(0);
    expect(JSON.parse(ran.out).completed_requests).toBe(5);
    const unknown = run();
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/add .*model_configs\/bar-13b\/config\.json .* or pass --model-config/);
  });

  it('import copies it beside the ground truth, which then validates on its own', () => {
    const out = tmp();
    const tq = join(SAMPLES, 'vllm-bench', 'turboquant-exp029-llama31-8b-baseline-rtx4090');
    const args = [
      'import',
      tq,
      '--out',
      'gt.json',
      '--hardware',
      'RTX4090',
      '--tp',
      '1',
      '--model',
      'foo/bar-13b',
    ];
    const r = runCli([...args, '--model-config', join(folder, 'config.json')], out);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'gt.json'), 'utf8'));
    expect(doc.experiments[0].model_config).toBe('gt.models/bar-13b/config.json');
    expect(JSON.parse(readFileSync(join(out, 'gt.models', 'bar-13b', 'config.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(LLAMA, 'utf8')),
    );
    const v = runCli(['validate', 'gt.json'], out);
    expect(v.code, v.err).toBe(0);
    const bad = runCli([...args, '--out', 'gt2.json', '--model-config', join(dir, 'nope')], out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--model-config .*nope: .*not found/);
    expect(existsSync(join(out, 'gt2.json'))).toBe(false);
  });
});

describe('a model no latency model can represent', () => {
  it('validate refuses it naming the config file and the feature', () => {
    const dir = tmp();
    const gt = groundTruth(dir, [['n', 'Qwen/Qwen3-Next-80B-A3B-Thinking', 'H100']]);
    const r = runCli(['validate', gt], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /experiments\[0\] "n": no latency model applies \(blackbox: no blackbox coefficients .*\| roofline-v1, roofline-v2, trained-physics: .*model_configs\/qwen3-next-80b-a3b-thinking\/config\.json: Qwen\/Qwen3-Next-80B-A3B-Thinking: linear attention \(Gated DeltaNet\) is not modelled by roofline-v1, roofline-v2 or trained-physics/,
    );
  });

  it('run costs a sliding window as BLIS does by default, and by its layers with --attention-window model', () => {
    const run = (...more: string[]) =>
      runCli([
        'run',
        '--model',
        'google/gemma-3-1b-it',
        '--hardware',
        'H100',
        '--tp',
        '1',
        '--latency-model',
        'roofline-v1',
        '--num-requests',
        '3',
        ...more,
      ]);
    // The default workload's requests pass the 512-token window of 22 of gemma-3-1b's 26 layers.
    const blis = run();
    const model = run('--attention-window', 'model');
    expect(blis.code, blis.err).toBe(0);
    expect(model.code, model.err).toBe(0);
    const e2e = (r: { out: string }) => JSON.parse(r.out).e2e_mean_ms as number;
    expect(e2e(model)).toBeLessThan(e2e(blis));
    const bad = run('--attention-window', 'sometimes');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--attention-window: unknown value "sometimes" \(one of blis, model\)/);
  });
});
