import { spawn } from 'node:child_process';

/** A command on a real pseudo-terminal (script(1)): wait for what it prints, type answers. */
export interface TtySession {
  waitFor(re: RegExp): Promise<void>;
  type(text: string): void;
  /** Everything it printed so far. */
  seen(): string;
  exited: Promise<number | null>;
}

export function onTerminal(argv: string[], env: NodeJS.ProcessEnv): TtySession {
  const command = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let seen = '';
  child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return {
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.stdout.removeListener('data', check);
          reject(new Error(`never saw ${re}:\n${seen}`));
        }, 60_000);
        function check(): void {
          if (!re.test(seen)) return;
          clearTimeout(timer);
          child.stdout.removeListener('data', check);
          resolve();
        }
        child.stdout.on('data', check);
        check();
      }),
    type: (text) => child.stdin.write(`${text}\r`),
    seen: () => seen,
    exited,
  };
}
