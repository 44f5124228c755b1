import { runCli } from './main.ts';

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
}).then((code) => {
  process.exitCode = code;
});
