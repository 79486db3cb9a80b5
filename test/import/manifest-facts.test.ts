import { describe, expect, it } from 'vitest';
import { folderManifestFacts, manifestFacts } from '../../src/import/manifest-facts.ts';
import type { ImportFile } from '../../src/import/types.ts';

const file = (rel: string, text: string): ImportFile => ({ rel, text: () => text });

/** A Deployment whose one container runs `command` with `args`. */
const deployment = (container: string) => `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
${container}`;

describe('vLLM server facts from a Kubernetes manifest', () => {
  it('reads a `/bin/sh -c` string, backslash continuations included (llm-d-benchmark exp-4 layout)', () => {
    const yaml = deployment(`      - args:
        - |
          vllm serve org/Model \\
            --gpu-memory-utilization 0.95 \\
            --max-model-len 10000 \\
            --tensor-parallel-size 4
        command: [/bin/sh, -c]`);
    const f = manifestFacts(
      file('d.yaml', yaml.replace('      - args:', '      - image: vllm/vllm-openai:v0.11.0\n        args:')),
    );
    expect(f.vllmVersion).toEqual({ value: '0.11.0', file: 'd.yaml', key: 'image' });
    expect(f.model).toEqual({ value: 'org/Model', file: 'd.yaml', key: 'serve <model>' });
    expect([f.tp?.value, f.maxModelLen?.value, f.gpuMemoryUtilization?.value]).toEqual([4, 10000, 0.95]);
  });

  it('reads a folded one-line string and an argument list with $(VAR) from env alike', () => {
    const folded = deployment(`      - args:
        - vllm serve org/M --max-model-len
          20000 --tensor-parallel-size
          2
        command: [/bin/sh, -c]`);
    expect(manifestFacts(file('a.yaml', folded)).tp?.value).toBe(2);
    const list = deployment(`      - command: [vllm, serve]
        args: [org/M, --max-num-seqs, $(SEQS), --no-enable-prefix-caching]
        env: [{ name: SEQS, value: "96" }]`);
    const f = manifestFacts(
      file(
        'b.yaml',
        list.replace('      - command', '      - image: vllm/vllm-openai:latest\n        command'),
      ),
    );
    expect([f.maxNumSeqs?.value, f.prefixCaching?.value, f.vllmVersion]).toEqual([96, false, undefined]);
  });

  it('ignores containers that do not run vLLM, and a folder without manifests says nothing', () => {
    const other = deployment(`      - command: [/bin/sh, -c]
        args: ["python bench.py --max-num-seqs 3"]`);
    expect(manifestFacts(file('c.yaml', other))).toEqual({});
    expect(folderManifestFacts({ name: 'x', files: [file('x/run.csv', 'a,b\n')] }, 'x')).toEqual({});
  });

  it('takes a folder’s manifests in name order, the first fact winning', () => {
    const a = deployment(`      - args: ["vllm serve org/M --max-num-seqs 64"]
        command: [/bin/sh, -c]`);
    const b = deployment(`      - args: ["vllm serve org/M --max-num-seqs 32 --max-model-len 4096"]
        command: [/bin/sh, -c]`);
    const nested = file('r/0/c.yaml', a.replace('64', '16'));
    const f = folderManifestFacts(
      { name: 'r', files: [nested, file('r/b.yml', b), file('r/a.yaml', a)] },
      'r',
    );
    expect([f.maxNumSeqs?.value, f.maxNumSeqs?.file, f.maxModelLen?.value]).toEqual([64, 'r/a.yaml', 4096]);
  });
});
