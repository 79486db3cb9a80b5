import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectExperiments } from '../../src/eval/experiment-filter.ts';
import { bindModelConfigs } from '../../src/eval/model-config-args.ts';

const xs = ['llama-tp1-chat', 'llama-tp2-chat', 'qwen/7b-tp1-code', 'mixtral-tp2-code'].map((name) => ({
  name,
}));
const names = (filter: { only?: string[]; exclude?: string[] }) =>
  selectExperiments(xs, filter, 'gt.json').map((x) => x.name);

describe('--only / --exclude', () => {
  it('keeps every experiment without a filter, in file order', () => {
    expect(names({})).toEqual(xs.map((x) => x.name));
  });

  it('matches names and globs; * spans a slash; --exclude wins over --only', () => {
    expect(names({ only: ['llama-*'] })).toEqual(['llama-tp1-chat', 'llama-tp2-chat']);
    expect(names({ only: ['*-code'] })).toEqual(['qwen/7b-tp1-code', 'mixtral-tp2-code']);
    expect(names({ exclude: ['*tp2*', 'qwen/7b-tp1-code'] })).toEqual(['llama-tp1-chat']);
    expect(names({ only: ['llama-*', 'mixtral-*'], exclude: ['*tp2*'] })).toEqual(['llama-tp1-chat']);
    expect(names({ only: ['*-{chat,code}'], exclude: ['llama-*'] })).toEqual([
      'qwen/7b-tp1-code',
      'mixtral-tp2-code',
    ]);
  });

  it('refuses a pattern that matches nothing, naming the flag and the experiments, and an empty selection', () => {
    expect(() => names({ exclude: ['lama-*'] })).toThrow(
      /--exclude 'lama-\*': matches no experiment of gt\.json \(experiments: llama-tp1-chat, /,
    );
    expect(() => names({ only: ['llama-*'], exclude: ['llama-*'] })).toThrow(/leave no experiment/);
  });
});

describe('--model-config binding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-config-args-'));
  const config = (...parts: string[]) => {
    mkdirSync(join(dir, ...parts), { recursive: true });
    const file = join(dir, ...parts, 'config.json');
    writeFileSync(file, '{}');
    return file;
  };
  const ownA = config('bar-13b');
  config('roots', 'baz-7b');
  const fileB = config('elsewhere');
  const served = [
    { name: 'a', model: 'foo/Bar-13B' },
    { name: 'b', model: 'foo/baz-7b' },
    { name: 'c', model: 'foo/Bar-13B' },
  ];
  const bound = (...args: string[]) => bindModelConfigs(served, args).map((x) => x.modelConfig);

  it("binds a model's folder or file by its folder name (the id's last segment, lower-cased)", () => {
    expect(bound(join(dir, 'bar-13b'))).toEqual([join(dir, 'bar-13b'), undefined, join(dir, 'bar-13b')]);
    expect(bound(ownA)).toEqual([ownA, undefined, ownA]);
  });

  it('binds the model folders found under a folder of folders, and <model>=<path> whatever the names', () => {
    expect(bound(join(dir, 'roots'))).toEqual([undefined, join(dir, 'roots', 'baz-7b'), undefined]);
    expect(bound(`foo/baz-7b=${fileB}`)).toEqual([undefined, fileB, undefined]);
  });

  it("binds a file's one model whatever its folder is called", () => {
    expect(bindModelConfigs([served[1]!], [fileB]).map((x) => x.modelConfig)).toEqual([fileB]);
  });

  it('refuses a path that is not there or binds nothing, naming the flag and the models', () => {
    expect(() => bound(join(dir, 'nope'))).toThrow(/--model-config .*nope: .*nope not found/);
    expect(() => bound(fileB)).toThrow(
      /--model-config .*elsewhere\/config\.json: its folder 'elsewhere' names none of the file's models \(models: foo\/Bar-13B, foo\/baz-7b\); write <model>=<path>/,
    );
    expect(() => bound(`acme/x=${fileB}`)).toThrow(/no experiment serves 'acme\/x'/);
  });
});
