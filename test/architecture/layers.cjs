// dependency-cruiser's rules for src-main and the renderer, enforced with no exceptions by
// test/architecture/layers.test.ts. The order of the layers is in layer-order.cjs.
const LAYERS = require('./layer-order.cjs');

const pathOf = (names) => `^src-main/(${names.map((n) => n.replace('.', '\\.')).join('|')})(/|$)`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('+')}`,
  comment: `${layer.join(', ')} must not import a higher layer`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    { name: 'no-cycles', severity: 'error', from: { path: '^src-main/' }, to: { circular: true } },
    // The two front ends of one layer stay apart: each maps to the core, neither calls the other.
    { name: 'cli-not-ipc', severity: 'error', from: { path: '^src-main/cli/' }, to: { path: '^src-main/ipc/' } },
    { name: 'ipc-not-cli', severity: 'error', from: { path: '^src-main/ipc/' }, to: { path: '^src-main/cli/' } },
    // The renderer is untrusted page code: of main it may load only the contract and the pure modules
    // that import nothing (the line parser, the name rules).
    {
      name: 'renderer-only-contract',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/(ipc/contract\\.ts|core/node-lines\\.ts|pki/name-rules\\.ts|ipc/contract-[a-z-]+\\.ts)$' },
    },
    // What the renderer loads of main must bring nothing else with it.
    { name: 'renderer-shared-imports-nothing', severity: 'error', from: { path: '^src-main/(core/node-lines|pki/name-rules)\\.ts$' }, to: {} },
    { name: 'not-to-unresolvable', severity: 'error', from: { path: '^src-main/' }, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte', '.json'] },
  },
};
