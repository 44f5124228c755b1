import { isAscii } from 'node:buffer';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { createRequire } from 'node:module';

/**
 * Loads a CommonJS bundle with V8's code cache, so the CLI does not recompile megabytes of
 * JavaScript on every run (Node 18/20 have no module.enableCompileCache). The cache lives in the
 * user's own cache folder (0700, owned by them): code from a folder others can write is never run.
 * Any failure falls back to a plain require.
 */
export function requireWithCodeCache(file: string, opts: { writeWhen?: (write: () => void) => void; variant?: string } = {}): unknown {
  const dir = cacheDir();
  if (!dir) return createRequire(file)(file);
  const source = readSource(file);
  const st = statSync(file);
  // V8's own version too: Electron and Node can share a Node version but not a V8 build.
  // `variant`: one cache per use of the same file (a CLI command group), each holding what that use compiled.
  const key = createHash('sha256').update(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.versions.v8}\0${process.arch}\0${opts.variant ?? ''}`).digest('hex').slice(0, 32);
  const cacheFile = join(dir, `${key}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} as unknown };
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    // After the first run, when the functions it used are compiled too; written beside, then renamed.
    // `writeWhen` picks that moment (the app: once its first screen is up); by default, next tick.
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        pruneCache(dir, cacheFile);
      } catch {
        // A cache we cannot write only costs the next run its compile time.
      }
    };
    (opts.writeWhen ?? ((w) => setImmediate(w)))(write);
  }
  return mod.exports;
}

/**
 * The bundle's text. The build writes ASCII only (scripts/build-main.mjs), which decodes as Latin-1
 * in a third of UTF-8's time for megabytes and stays a one-byte string in V8; anything else as UTF-8.
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Caches kept: each build (and each copy of the app) has its own, so old ones are dropped, oldest first. */
const KEEP_CACHES = 24;

function pruneCache(dir: string, keep: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.v8'))
    .map((f) => join(dir, f))
    .filter((f) => f !== keep)
    .map((f) => ({ f, t: statSync(f).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP_CACHES - 1)) unlinkSync(f);
}

/** $XDG_CACHE_HOME/cluster-trust/v8 (else ~/.cache/...), if it is ours and private; otherwise none. */
function cacheDir(): string | null {
  if (process.env.CLUSTER_TRUST_NO_CODE_CACHE) return null;
  try {
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const dir = join(base, 'cluster-trust', 'v8');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    const uid = process.getuid?.();
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0)) return null;
    return dir;
  } catch {
    return null;
  }
}
