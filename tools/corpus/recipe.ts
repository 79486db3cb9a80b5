/**
 * The corpus recipe (eval/corpus/recipe.json): the public sources, and per experiment the
 * files to import (repository paths at a commit, optionally cut to line ranges), the
 * importer's flags, and what the source states or the import assumes. The build replays it.
 */
import { z } from 'zod';

const source = z.object({
  repository: z.string(),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  license: z.string(),
  /** Where the licence is stated (file in the repository, or a note). */
  license_evidence: z.string(),
  title: z.string(),
});

const file = z.object({
  path: z.string(),
  /** Name inside the imported folder (default: the path's file name). */
  as: z.string().optional(),
  /** 1-based inclusive line ranges kept; every other line is blanked, so line numbers stay the source's. */
  keep: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])).optional(),
});

const experiment = z.object({
  name: z.string(),
  source: z.string(),
  format: z.enum(['vllm-bench', 'vllm-bench-text', 'inference-perf', 'lmbench']),
  files: z.array(file).min(1),
  flags: z.object({
    hardware: z.string(),
    tp: z.number().int().positive().optional(),
    model: z.string().optional(),
    vllmVersion: z.string().optional(),
    /** How the server scheduled, where the files do not say but the source's date settles it. */
    asyncScheduling: z.boolean().optional(),
    totalKvBlocks: z.number().int().positive().optional(),
  }),
  /** A model_configs folder to use where the model id's own folder is not there (with why). */
  model_config: z.object({ folder: z.string(), why: z.string() }).optional(),
  client: z.string(),
  stated: z.array(z.string()),
  assumed: z.array(z.string()),
  /** Server or client settings the simulator does not model, kept and named. */
  settings: z.array(z.string()).default([]),
});

const leftOut = z.object({ source: z.string(), what: z.string(), why: z.string() });

export const recipeSchema = z.object({
  sources: z.record(z.string(), source),
  experiments: z.array(experiment),
  left_out: z.array(leftOut),
});

export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeExperiment = Recipe['experiments'][number];
export type RecipeSource = Recipe['sources'][string];
