import { readFileSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { TrustEnv } from './types.ts';

/** An NSS database folder and the browser that reads it, for people ("Chromium", "Firefox ESR profile x.default-esr"). */
export interface NssLocation {
  browser: string;
  dir: string;
}

type Place = 'home' | 'data' | 'config';

/**
 * Chromium's shared NSS database (Chrome, Chromium, Edge, Brave on Linux): NSS opens ~/.pki/nssdb when
 * it exists, else XDG_DATA_HOME/pki/nssdb, which Chromium uses since M146. Both are listed: a user who
 * upgraded may have either or both. Snap and Flatpak give the browser its own HOME or XDG_DATA_HOME.
 */
const CHROMIUM_DBS: Array<{ browser: string; place: Place; path: string }> = [
  { browser: 'Chromium', place: 'data', path: 'pki/nssdb' },
  { browser: 'Chromium', place: 'home', path: '.pki/nssdb' },
  { browser: 'Chromium (snap)', place: 'home', path: 'snap/chromium/current/.local/share/pki/nssdb' },
  { browser: 'Chromium (snap)', place: 'home', path: 'snap/chromium/current/.pki/nssdb' },
  { browser: 'Chromium (Flatpak)', place: 'home', path: '.var/app/org.chromium.Chromium/data/pki/nssdb' },
  { browser: 'Chromium (Flatpak)', place: 'home', path: '.var/app/org.chromium.Chromium/.pki/nssdb' },
];

/**
 * Folders holding Firefox profiles: each has a profiles.ini naming them (possibly elsewhere) and the
 * profile folders themselves. Firefox 147+ uses XDG_CONFIG_HOME/mozilla/firefox when ~/.mozilla is absent.
 */
const FIREFOX_ROOTS: Array<{ browser: string; place: Place; path: string; platform: 'linux' | 'darwin' }> = [
  { browser: 'Firefox', place: 'home', path: '.mozilla/firefox', platform: 'linux' },
  { browser: 'Firefox', place: 'config', path: 'mozilla/firefox', platform: 'linux' },
  { browser: 'Firefox (snap)', place: 'home', path: 'snap/firefox/common/.mozilla/firefox', platform: 'linux' },
  { browser: 'Firefox (snap)', place: 'home', path: 'snap/firefox/common/.config/mozilla/firefox', platform: 'linux' },
  { browser: 'Firefox (Flatpak)', place: 'home', path: '.var/app/org.mozilla.firefox/.mozilla/firefox', platform: 'linux' },
  { browser: 'Firefox (Flatpak)', place: 'home', path: '.var/app/org.mozilla.firefox/config/mozilla/firefox', platform: 'linux' },
  { browser: 'Firefox', place: 'home', path: 'Library/Application Support/Firefox', platform: 'darwin' },
];

function under(env: TrustEnv, place: Place, path: string): string {
  return join(place === 'home' ? env.home : place === 'data' ? env.dataHome : env.configHome, path);
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name)).sort();
  } catch {
    return [];
  }
}

/** Profile folders profiles.ini names (relative to its folder or absolute). */
function profilesIni(root: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'profiles.ini'), 'utf8');
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const section of text.split(/^\[/m)) {
    if (!/^Profile\d+\]/.test(section)) continue;
    const path = section.match(/^Path=(.+)$/m)?.[1]?.trim();
    if (!path) continue;
    const relative = section.match(/^IsRelative=(\d)$/m)?.[1] !== '0';
    dirs.push(relative || !isAbsolute(path) ? join(root, path) : path);
  }
  return dirs;
}

/** Firefox ESR names its first profile *.default-esr and records its install folder (…/firefox-esr) after each run. */
function isEsr(profile: string): boolean {
  if (basename(profile).endsWith('-esr')) return true;
  try {
    return /^LastPlatformDir=.*firefox-esr/m.test(readFileSync(join(profile, 'compatibility.ini'), 'utf8'));
  } catch {
    return false;
  }
}

function firefoxProfiles(env: TrustEnv): NssLocation[] {
  const platform = env.platform === 'darwin' ? 'darwin' : 'linux';
  const out: NssLocation[] = [];
  for (const root of FIREFOX_ROOTS.filter((r) => r.platform === platform)) {
    const dir = under(env, root.place, root.path);
    const listed = [...profilesIni(dir), ...subfolders(platform === 'darwin' ? join(dir, 'Profiles') : dir)];
    for (const profile of listed) {
      const browser = isEsr(profile) ? root.browser.replace('Firefox', 'Firefox ESR') : root.browser;
      out.push({ browser: `${browser} profile ${basename(profile)}`, dir: profile });
    }
  }
  return out;
}

/**
 * Every folder an NSS database of a browser may be in here, with its browser; the same folder once.
 * Whether a database really is there (cert9.db) is the caller's check.
 */
export function nssLocations(env: TrustEnv): NssLocation[] {
  const all = env.platform === 'darwin' ? firefoxProfiles(env)
    : env.platform === 'linux' || env.platform === 'freebsd' ? [...CHROMIUM_DBS.map((c) => ({ browser: c.browser, dir: under(env, c.place, c.path) })), ...firefoxProfiles(env)]
    : [];
  const seen = new Set<string>();
  return all.filter((l) => !seen.has(l.dir) && seen.add(l.dir));
}

/** Chromium's database when it has none yet: the place the installed version will open. */
export function chromiumNewDb(env: TrustEnv, major: number | null): string {
  // Before M146 Chromium made ~/.pki/nssdb itself; an unknown version is taken to be a current one.
  return major !== null && major < 146 ? join(env.home, '.pki/nssdb') : join(env.dataHome, 'pki/nssdb');
}

/** Chromium-family browsers whose shared NSS database is ~/.pki/nssdb or XDG_DATA_HOME/pki/nssdb. */
export const CHROMIUM_BINARIES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];
