/**
 * What a Kubernetes manifest says the vLLM server ran: the container's command and args
 * (`vllm serve …` as a list, or as one `/bin/sh -c` string), with `$(VAR)` read from its env,
 * and the vLLM release its image's tag names.
 */
import { dirname } from 'node:path/posix';
import { shellWords } from './bench-command.ts';
import { isObject, parseYamlAll } from './read.ts';
import { factsFromArgs, mergeFacts } from './server-facts.ts';
import type { Bundle, ImportFile, ServerFacts } from './types.ts';

const isVllm = (words: readonly string[]) => words.some((a) => a.includes('vllm') || a.startsWith('--model'));

/** Facts of every vLLM container in the manifest's documents (empty when none runs vLLM). */
export function manifestFacts(f: ImportFile | undefined): ServerFacts {
  if (!f) return {};
  const found: ServerFacts[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) {
      if (Array.isArray(v.containers))
        for (const c of v.containers) if (isObject(c)) found.push(containerFacts(c, f.rel));
      Object.values(v).forEach(visit);
    }
  };
  parseYamlAll(f).forEach(visit);
  return mergeFacts(...found);
}

function containerFacts(c: Record<string, unknown>, file: string): ServerFacts {
  const given = [
    ...(Array.isArray(c.command) ? c.command : []),
    ...(Array.isArray(c.args) ? c.args : []),
  ].map(String);
  // `sh -c "vllm serve X --tp 2"` hands the shell one string: its words are the command line.
  const words = given.flatMap((a) => (/\s/.test(a.trim()) && a.includes('vllm') ? shellWords(a) : [a]));
  if (!isVllm(words)) return {};
  const env: Record<string, string> = {};
  for (const e of Array.isArray(c.env) ? c.env : [])
    if (isObject(e) && typeof e.name === 'string' && typeof e.value === 'string') env[e.name] = e.value;
  const facts = factsFromArgs(words, file, env);
  // vLLM's own image names its release in the tag (`vllm/vllm-openai:v0.11.0`; `latest` says nothing).
  const tag = typeof c.image === 'string' ? /vllm-openai:v?(\d+\.\d+[\w.+-]*)$/.exec(c.image) : null;
  if (tag) facts.vllmVersion = { value: tag[1]!, file, key: 'image' };
  return facts;
}

/** Facts of the manifests (`*.yaml`, `*.yml`) directly in a bundle's folder `dir`, in name order. */
export function folderManifestFacts(bundle: Bundle, dir: string): ServerFacts {
  const yamls = bundle.files
    .filter((f) => dirname(f.rel) === dir && /\.ya?ml$/i.test(f.rel))
    .sort((a, b) => a.rel.localeCompare(b.rel));
  return mergeFacts(...yamls.map(manifestFacts));
}
