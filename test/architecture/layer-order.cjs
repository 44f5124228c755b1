// The layers of src-main, lowest first. A module may import its own layer and the ones below it,
// never one above (docs/ARCHITECTURE.md, "Layers"). Kept apart from the dependency-cruiser config so
// the test can compare it with the folders on disk.
module.exports = [
  ['errors.ts', 'libs'],
  ['pki'],
  ['keychain'],
  ['vault'],
  ['bundle'],
  ['profiles'],
  ['core'],
  ['truststore'],
  ['ssh'],
  ['lifecycle'],
  ['cli', 'ipc'],
  ['app', 'main.ts', 'preload.ts'],
];
