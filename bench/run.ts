// `npm run bench`: every benchmark prints ratios measured side by side in this one run.
// Each concern adds its benchmark module here; a module exports `run(): Promise<void>`.
const modules: Array<[string, () => Promise<{ run: () => Promise<void> }>]> = [
  ['issue', () => import('./issue.ts')],
  ['push', () => import('./push.ts')],
  ['cold-start', () => import('./cold-start.ts')],
  ['pem', () => import('./pem.ts')],
  ['scale', () => import('./scale.ts')],
  ['app', () => import('./app.ts')],
];

const only = process.argv.slice(2);
for (const [name, load] of modules) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n== ${name} ==`);
  await (await load()).run();
}
export {};
