import { isIpAddress } from '../pki/names.ts';

/**
 * One node a line: `name address... [profile=ID] [key=value...]  # comment`. Addresses are IPs or
 * DNS names (commas separate like spaces); any other key=value is a setting of the node's profile.
 * The same syntax as the app's "Add from list"; names and addresses are checked later, by
 * buildNodeRecord, so every rule lives in one place.
 */
export interface ImportEntry {
  /** 1-based line of the file, as an editor shows it. */
  line: number;
  name: string;
  ips: string[];
  dns: string[];
  profile?: string;
  /** user@host[:port], for push. */
  ssh?: string;
  options: Record<string, string>;
}

export interface ImportProblem {
  line: number;
  why: string;
}

const SETTING = /^([A-Za-z][A-Za-z0-9_-]*)=(.*)$/;

export function parseNodeLinesFile(text: string): { entries: ImportEntry[]; problems: ImportProblem[] } {
  const entries: ImportEntry[] = [];
  const problems: ImportProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const tokens = raw.replace(/#.*$/, '').trim().split(/[\s,]+/).filter(Boolean);
    if (tokens.length === 0) return;
    const [name, ...rest] = tokens as [string, ...string[]];
    const entry: ImportEntry = { line: i + 1, name, ips: [], dns: [], options: {} };
    for (const token of rest) {
      const setting = SETTING.exec(token);
      if (setting) {
        const [, key, value] = setting as unknown as [string, string, string];
        if (key === 'profile' ? entry.profile !== undefined : key in entry.options) return void problems.push({ line: i + 1, why: `"${name}" sets ${key} twice` });
        if (key === 'profile') entry.profile = value;
        else entry.options[key] = value;
      } else if (isIpAddress(token) || /^[\d.]+$/.test(token) || token.includes(':') || token.includes('/')) {
        entry.ips.push(token); // a malformed IP is reported as an IP, by the node checks
      } else {
        entry.dns.push(token);
      }
    }
    entries.push(entry);
  });
  return { entries, problems };
}
