import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, type CliRun } from '../helpers/cli.ts';

export type Workspace = ReturnType<typeof workspace>;

/** A workspace with a CA, ready for nodes. */
export function workspaceWithCa(): Workspace {
  const w = workspace();
  ok(w.cli('ca', 'init', '--name', 'Profiles Test CA'));
  return w;
}

export function ok(r: CliRun): string {
  assert.equal(r.code, 0, `expected success, got ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** A refused command: exit 1, one plain line on stderr matching `pattern`, no stack. */
export function refused(r: CliRun, pattern: RegExp): void {
  assert.equal(r.code, 1, `expected a refusal, got ${r.code}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

export interface ConfigJson {
  node: string;
  profile: string;
  installDir: string;
  verifyPort: number | null;
  files: Array<{ path: string; installPath: string; mode: number; description: string; secret: boolean; content: string | null }>;
}

export function nodeConfig(w: Workspace, name: string): ConfigJson {
  return JSON.parse(ok(w.cli('node', 'config', name, '--json'))) as ConfigJson;
}

export function configFile(cfg: ConfigJson, path: string): string {
  const f = cfg.files.find((x) => x.path === path);
  assert.ok(f, `${path} is not among ${cfg.files.map((x) => x.path).join(', ')}`);
  assert.ok(f.content !== null, `${path} has no printable content`);
  return f.content;
}

/** KEY=VALUE lines of an env file (comments skipped). */
export function readEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export const read = (dir: string, rel: string): string => readFileSync(join(dir, rel), 'utf8');

/** Starts a daemon we own; `stop` ends exactly that process and waits for it. */
export function startDaemon(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return {
    child,
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
