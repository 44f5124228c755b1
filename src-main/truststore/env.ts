import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { invalid } from '../errors.ts';
import { familyFromOsRelease, type OsFamily } from './os-families.ts';
import type { TrustEnv } from './types.ts';

export type TrustEnvOptions = Partial<TrustEnv>;

/** This machine, unless the caller (a test, or the GUI) overrides a part. */
export function resolveEnv(opts: TrustEnvOptions = {}): TrustEnv {
  const processEnv = opts.processEnv ?? process.env;
  const root = resolve(opts.root ?? '/');
  if (opts.nssDbs?.some((d) => !isAbsolute(d))) throw invalid('NSS database folders must be absolute paths');
  const home = opts.home ?? processEnv.HOME ?? homedir();
  // The XDG folders belong to the home they came with: a caller naming another home gets that home's defaults.
  const xdg = (name: string, fallback: string) => {
    const v = processEnv[name];
    return opts.home === undefined && v && isAbsolute(v) ? v : join(home, fallback);
  };
  return {
    platform: opts.platform ?? process.platform,
    root,
    home,
    dataHome: opts.dataHome ?? xdg('XDG_DATA_HOME', '.local/share'),
    configHome: opts.configHome ?? xdg('XDG_CONFIG_HOME', '.config'),
    nssDbs: opts.nssDbs,
    javaKeystore: opts.javaKeystore ? resolve(opts.javaKeystore) : undefined,
    javaStorePass: opts.javaStorePass ?? 'changeit',
    javaHome: opts.javaHome ?? (processEnv.JAVA_HOME || undefined),
    processEnv,
    isRoot: opts.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0),
    privilege: opts.privilege ?? 'auto',
  };
}

/** A system path under the env's root ('/etc/x' under '/tmp/r' is '/tmp/r/etc/x'). */
export function rooted(env: TrustEnv, path: string): string {
  return env.root === '/' ? path : join(env.root, path);
}

// Administrators' tools live in sbin, which an ordinary user's PATH often lacks; the elevated
// shell has it, so a tool found there counts as present.
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of a tool on PATH (plus sbin), or null. */
export function findTool(env: TrustEnv, tool: string): string | null {
  if (isAbsolute(tool)) return isExecutable(tool) ? tool : null;
  const dirs = (env.processEnv.PATH ?? '').split(delimiter).filter(Boolean);
  const all = env.platform === 'win32' ? dirs : [...dirs, ...SBIN];
  const names = env.platform === 'win32' && process.platform === 'win32' ? [`${tool}.exe`, `${tool}.cmd`, tool] : [tool];
  for (const dir of all) {
    for (const name of names) {
      const p = join(dir, name);
      if (isExecutable(p)) return p;
    }
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Can this process create or replace `path` (a file or folder that may not exist yet)? */
export function canWrite(path: string): boolean {
  let p = path;
  for (;;) {
    if (existsSync(p)) {
      try {
        accessSync(p, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    }
    const up = dirname(p);
    if (up === p) return false;
    p = up;
  }
}

/** Does changing these paths need the administrator (unless forced one way)? */
export function needsAdmin(env: TrustEnv, paths: string[]): boolean {
  if (env.privilege === 'elevate') return true;
  if (env.privilege === 'direct' || env.isRoot) return false;
  return paths.some((p) => !canWrite(p));
}

export function osFamily(env: TrustEnv): OsFamily {
  if (env.platform === 'darwin') return 'macos';
  if (env.platform === 'win32') return 'windows';
  if (env.platform === 'freebsd') return 'freebsd';
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return familyFromOsRelease(readFileSync(rooted(env, p), 'utf8'));
    } catch {
      // try the next one
    }
  }
  return 'unknown';
}

/** Which package brings a tool, per OS family (what the user installs to fix "missing tool"). */
const PACKAGES: Record<string, Partial<Record<OsFamily, string>>> = {
  'update-ca-certificates': { debian: 'ca-certificates', alpine: 'ca-certificates', opensuse: 'ca-certificates', unknown: 'ca-certificates' },
  'update-ca-trust': { rhel: 'ca-certificates', arch: 'ca-certificates-utils', unknown: 'ca-certificates' },
  trust: { arch: 'p11-kit', rhel: 'p11-kit-trust', debian: 'p11-kit', opensuse: 'p11-kit-tools', unknown: 'p11-kit' },
  certutil: {
    debian: 'libnss3-tools', rhel: 'nss-tools', arch: 'nss', opensuse: 'mozilla-nss-tools', alpine: 'nss-tools',
    freebsd: 'nss', macos: 'nss (Homebrew: brew install nss)', unknown: 'the NSS tools (libnss3-tools on Debian)',
  },
  keytool: {
    debian: 'default-jre-headless', rhel: 'java-17-openjdk-headless', arch: 'jre-openjdk-headless', opensuse: 'java-17-openjdk-headless',
    alpine: 'openjdk17-jre-headless', freebsd: 'openjdk17', macos: 'a JDK (for example Temurin)', windows: 'a JDK (for example Temurin)', unknown: 'a Java runtime',
  },
  certctl: { freebsd: 'the FreeBSD 12.2+ base system' },
  security: { macos: 'macOS (built in)' },
};

export function packageFor(tool: string, env: TrustEnv): string {
  const byFamily = PACKAGES[tool] ?? {};
  const family = osFamily(env);
  return byFamily[family] ?? byFamily.unknown ?? tool;
}
