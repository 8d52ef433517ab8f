/**
 * Layer rules for src/ (npm run lint:layers; run by npm test before the unit suite).
 *
 * Folders form a stack; a folder may import only the folders listed for it in MAY_IMPORT, which
 * are all lower in the stack, so no import goes against the stage order and no two folders can
 * import each other (no cycle between folders):
 *
 *   types                          values, schemas, typed expressions, windows: the lowest layer
 *   sql                            lexer, parser, AST
 *   functions, serde, log, state   libraries used by the stages
 *   ml                             model clients, learners: used by analyze (model signatures)
 *                                  and by exec (the model-call and train operators)
 *   analyze -> plan -> exec        the stages: each looks only down
 *   engine -> server -> cli, console, testing
 *
 * No file may take part in an import cycle, not even within a folder (`no-circular`).
 *
 * The rules cover type-only imports too (`import type`): a type that a lower layer needs
 * belongs in that layer or below (exec reads the analyzer's output types through plan/steps.ts).
 * The explicitly named rules (exec -> analyze, exec -> log/kafka, analyze -> plan,
 * serde -> plan) repeat what the stack already forbids, so a violation says which contract it
 * breaks.
 */
const LIBRARIES = ['types', 'sql', 'functions', 'serde', 'log', 'state'];
const MAY_IMPORT = {
  types: [],
  sql: ['types'],
  functions: ['types'],
  serde: ['types'],
  log: ['types'],
  state: ['types', 'log'],
  ml: ['types', 'sql', 'serde', 'log', 'state', 'functions'],
  analyze: [...LIBRARIES, 'ml'],
  plan: [...LIBRARIES, 'ml', 'analyze'],
  exec: [...LIBRARIES, 'ml', 'plan'],
  engine: [...LIBRARIES, 'ml', 'analyze', 'plan', 'exec'],
  server: [...LIBRARIES, 'ml', 'analyze', 'plan', 'exec', 'engine'],
  testing: [...LIBRARIES, 'ml', 'analyze', 'plan', 'exec', 'engine'],
  console: [...LIBRARIES, 'ml', 'analyze', 'plan', 'exec', 'engine', 'server'],
  cli: [...LIBRARIES, 'ml', 'analyze', 'plan', 'exec', 'engine', 'server', 'testing', 'console'],
};
const FOLDERS = Object.keys(MAY_IMPORT);

/**
 * Imports the rules allow as exceptions, each with its reason. Remove an entry when its import
 * goes. Empty since the shared JVM-text module (src/types/java) landed.
 */
const KNOWN_EXCEPTIONS = [];
const exceptFrom = (folder) => KNOWN_EXCEPTIONS.filter((e) => e.from.startsWith(`^src/${folder}/`));

const named = [
  { name: 'no-exec-to-analyze', from: 'exec', to: '^src/analyze/', comment: 'exec runs plans: what it needs from the analyzer comes through plan/ or types/' },
  { name: 'no-exec-to-kafka', from: 'exec', to: '^src/log/kafka/', comment: 'operators see the log through log/log.ts only (embedded log and Kafka behind one interface)' },
  { name: 'no-analyze-to-plan', from: 'analyze', to: '^src/plan/', comment: 'the analyzer output types live in analyze/output.ts and types/; plan imports them' },
  { name: 'no-serde-to-plan', from: 'serde', to: '^src/plan/', comment: 'serde sits below the stages (windowed keys use types/window.ts)' },
].flatMap(({ name, from, to, comment }) => [
  {
    name,
    comment,
    severity: 'error',
    from: { path: `^src/${from}/`, pathNot: exceptFrom(from).map((e) => e.from) },
    to: { path: to },
  },
  // A file with a known exception is held to the rule for every other import.
  ...exceptFrom(from).map((e) => ({ name, comment, severity: 'error', from: { path: e.from }, to: { path: to, pathNot: e.to } })),
]);

const stack = FOLDERS.map((folder) => {
  const allowed = [folder, ...MAY_IMPORT[folder]];
  const exceptions = exceptFrom(folder);
  return {
    name: `layer-${folder}`,
    comment: `${folder}/ may import only ${MAY_IMPORT[folder].join(', ') || 'nothing outside itself'} (see the stack in .dependency-cruiser.cjs)`,
    severity: 'error',
    from: { path: `^src/${folder}/`, pathNot: exceptions.map((e) => e.from) },
    to: { path: '^src/', pathNot: [`^src/(${allowed.join('|')})/`, '^src/[^/]+[.]ts$'] },
  };
});

// The files with a known exception still obey the stack for every other import.
const exceptionFiles = KNOWN_EXCEPTIONS.map((e) => {
  const folder = e.from.slice('^src/'.length).split('/')[0];
  const allowed = [folder, ...MAY_IMPORT[folder]];
  return {
    name: `layer-${folder}`,
    severity: 'error',
    from: { path: e.from },
    to: { path: '^src/', pathNot: [`^src/(${allowed.join('|')})/`, '^src/[^/]+[.]ts$', e.to] },
  };
});

module.exports = {
  forbidden: [
    ...named,
    ...stack,
    ...exceptionFiles,
    {
      name: 'no-unknown-folder',
      comment: `a new folder under src/ needs its place in the stack (MAY_IMPORT in .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${FOLDERS.join('|')})/|^src/[^/]+[.]ts$` },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'no import cycle, within a folder either: a type two files share goes into a third file both import (e.g. engine/context.ts, exec/expr/emit-context.ts)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import that does not resolve is a typo or a deleted file',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    moduleSystems: ['es6'],
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
