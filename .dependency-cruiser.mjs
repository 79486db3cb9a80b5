// The house rules for imports under src/, checked by dependency-cruiser: `npx depcruise src`
// lists what breaks them; test/architecture.test.ts fails on any. docs/architecture.md explains.

/** Layers, lowest first: a module may import its own layer (without a cycle) or one below. */
export const LAYERS = [
  { name: 'base', path: '^src/(errors\\.ts$|types/)' },
  { name: 'core', path: '^src/(sim|workload|latency|mfu)/' },
  { name: 'files', path: '^src/(fs-atomic|paths)\\.ts$' },
  { name: 'config', path: '^src/config/' },
  { name: 'groundtruth', path: '^src/groundtruth/' },
  { name: 'import', path: '^src/import/' },
  { name: 'eval', path: '^src/eval/' },
  { name: 'tune-nightly-export', path: '^src/(tune|nightly|export)/' },
  { name: 'report', path: '^src/report/' },
  { name: 'commands', path: '^src/commands/' },
  { name: 'cli', path: '^src/cli\\.ts$' },
];

/**
 * What renderers may read from the layers whose results they draw: the data those layers hand
 * over (their outcome types, and the constants those types' files define) and the pure
 * definitions the reports quote (how errors are counted, classed and compared). Nothing else, so a renderer never
 * pulls in a session, the pool, the tuner or the search machinery.
 */
export const REPORT_DATA = [
  // the data types: each folder's types.ts, <name>-types.ts and outcome.ts
  '^src/(eval|tune|nightly|export)/([a-z-]*types|outcome)\\.ts$',
  // the pure definitions the reports quote
  '^src/eval/(stats|common-set|failure-class)\\.ts$',
  '^src/nightly/(compare|schema)\\.ts$',
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `upward-from-${layer.name}`,
  comment: `${layer.name} imports only from its own layer or the ones below`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((above) => above.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no two modules import each other, directly or through others',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'report-reads-outcomes-only',
      comment: 'renderers take plain data: from eval/, tune/, nightly/, export/ only REPORT_DATA',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/(eval|tune|nightly|export)/', pathNot: REPORT_DATA },
    },
    {
      name: 'report-reaches-no-session',
      comment: 'not even indirectly does a renderer load a session, the pool, a worker or a command',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/commands/|/session\\.ts$|^src/eval/(pool|worker[^/]*|job)\\.', reachable: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(?!src/)' },
  },
};
