import { describe, expect, it } from 'vitest';
import { commandLines, flagValue, hasFlag, shellWords } from '../../src/import/bench-command.ts';

describe('command lines quoted in a text', () => {
  it('splits shell words: quotes group, backslashes escape, nothing expands', () => {
    expect(shellWords(`--a 'x y' --b="p q" c\\ d "say \\"hi\\"" $RATE`)).toEqual([
      '--a',
      'x y',
      '--b=p q',
      'c d',
      'say "hi"',
      '$RATE',
    ]);
  });

  it('reads a text cut short as if closed there: an open quote runs to the end, a last backslash is dropped', () => {
    expect(shellWords(`won't take --max-model-len here`)).toEqual(['wont take --max-model-len here']);
    expect(shellWords('--model "m/a b')).toEqual(['--model', 'm/a b']);
    expect(shellWords('--tp 2 \\')).toEqual(['--tp', '2']);
  });

  it('joins continued lines and starts at the program, past docker and env words', () => {
    const lines = [
      'docker exec -e X=1 box vllm bench serve --model m/a \\',
      '  --request-rate 4 \\',
      '  --num-prompts=100',
      'VLLM_USE_V1=1 vllm serve m/a --tensor-parallel-size 2',
      'python3 benchmarks/benchmark_serving.py --max-concurrency 8',
    ];
    const cs = commandLines(lines);
    expect(cs.map((c) => [c.kind, c.line, c.program])).toEqual([
      ['client', 1, 'vllm bench serve'],
      ['server', 4, 'vllm serve'],
      ['client', 5, 'benchmark_serving.py'],
    ]);
    expect(cs[0]!.words).toEqual([
      'vllm',
      'bench',
      'serve',
      '--model',
      'm/a',
      '--request-rate',
      '4',
      '--num-prompts=100',
    ]);
    expect(flagValue(cs[0]!.words, 'num-prompts')).toBe('100');
    expect(flagValue(cs[2]!.words, 'max-concurrency')).toBe('8');
  });

  it('reads flags as argparse does: underscores, the last one given; variables and placeholders are unknown', () => {
    const w = shellWords(
      '--request_rate 2 --request-rate 4 --num-prompts $N --dataset-path <path> --ignore-eos',
    );
    expect(flagValue(w, 'request-rate')).toBe('4');
    expect(flagValue(w, 'num-prompts')).toBeUndefined();
    expect(flagValue(w, 'dataset-path')).toBeUndefined();
    expect(flagValue(w, 'ignore-eos')).toBeUndefined();
    expect(hasFlag(w, 'ignore-eos')).toBe(true);
    expect(hasFlag(w, 'save-result')).toBe(false);
  });
});
