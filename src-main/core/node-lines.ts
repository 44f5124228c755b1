/**
 * The one parser of "one node per line" lists, used by the app's "Add from list" (in the renderer)
 * and by the CLI: it imports nothing, so both sides can load it; each side passes its own name
 * checks (main: pki/names.ts; renderer: its mirror) and the profiles it knows.
 *
 * A line:   name address... [profile=ID] [setting=value...]   # comment
 * Addresses are IPs or DNS names in any order; commas separate like spaces. A line without
 * `profile=` takes the list's default profile. Any other `key=value` is a setting of the line's
 * profile (reverse-proxy's `upstream=http://127.0.0.1:8080`).
 */

export interface LineProfile {
  id: string;
  /** Nodes of this profile need no address (127.0.0.1 and localhost are added). */
  loopback?: boolean;
  options: ReadonlyArray<{ key: string; help?: string; required?: boolean }>;
}

export interface NameChecks {
  nodeNameProblem(name: string): string | null;
  isIp(token: string): boolean;
  dnsNameProblem(token: string): string | null;
}

export interface ParsedNode {
  name: string;
  ips: string[];
  dns: string[];
  profile: string;
  options: Record<string, string>;
}

export interface NodeLine {
  /** 1-based, counting blank and comment lines, as an editor shows it. */
  line: number;
  text: string;
  node: ParsedNode | null;
  problem: string | null;
}

export interface NodeLinesContext {
  profiles: readonly LineProfile[];
  defaultProfile: string;
  /** Names already in the inventory. */
  existing?: ReadonlySet<string>;
  checks: NameChecks;
}

const SETTING = /^([A-Za-z][A-Za-z0-9_]*)=(.*)$/;

/** The problem with one address token, or which list it goes in. */
function address(token: string, ctx: NodeLinesContext): { ip: string } | { dns: string } | { problem: string } {
  if (ctx.profiles.some((p) => p.id === token)) return { problem: `"${token}" is a profile, not an address: write profile=${token}` };
  const slash = token.indexOf('/');
  if (slash > 0 && ctx.checks.isIp(token.slice(0, slash))) return { problem: `"${token}": CIDR is not an address; give the node's own IP (${token.slice(0, slash)})` };
  if (ctx.checks.isIp(token)) return { ip: token };
  // Looks like a dotted quad or IPv6 but is not one: say "bad IP", not "bad DNS name".
  if (/^[\d./]+$/.test(token) || token.includes(':')) return { problem: `"${token}" is not a valid IP address` };
  const p = ctx.checks.dnsNameProblem(token);
  return p ? { problem: `"${token}" ${p}` } : { dns: token };
}

function parseLine(tokens: string[], ctx: NodeLinesContext): ParsedNode | string {
  const [name = '', ...rest] = tokens;
  const nameProblem = ctx.checks.nodeNameProblem(name);
  if (nameProblem) return `"${name}": ${nameProblem}`;
  const node: ParsedNode = { name, ips: [], dns: [], profile: ctx.defaultProfile, options: {} };
  let profileGiven = false;
  for (const token of rest) {
    const setting = SETTING.exec(token);
    if (setting) {
      const [, key, value] = setting as unknown as [string, string, string];
      if (key === 'profile') {
        if (profileGiven) return `"${name}" names its profile twice`;
        if (!ctx.profiles.some((p) => p.id === value)) return `"${name}": unknown profile "${value}" (known: ${ctx.profiles.map((p) => p.id).join(', ')})`;
        node.profile = value;
        profileGiven = true;
      } else {
        if (key in node.options) return `"${name}" sets ${key} twice`;
        node.options[key] = value;
      }
      continue;
    }
    const a = address(token, ctx);
    if ('problem' in a) return a.problem;
    if ('ip' in a) node.ips.push(a.ip);
    else node.dns.push(a.dns);
  }
  const profile = ctx.profiles.find((p) => p.id === node.profile);
  if (!profile) return `"${name}": unknown profile "${node.profile}"`;
  for (const key of Object.keys(node.options)) {
    if (!profile.options.some((o) => o.key === key)) {
      const known = profile.options.length ? `known: ${profile.options.map((o) => o.key).join(', ')}` : 'it takes none';
      return `"${name}": profile ${profile.id} has no setting "${key}" (${known})`;
    }
  }
  for (const o of profile.options) {
    if (o.required && !node.options[o.key]?.trim()) return `"${name}" (${profile.id}) needs ${o.key}=…${o.help ? `: ${o.help}` : ''}`;
  }
  if (node.ips.length + node.dns.length === 0 && !profile.loopback) return `"${name}" needs at least one IP address or DNS name`;
  return node;
}

/** Every non-blank line, each with its node or the one problem that stops it. */
export function parseNodeLines(text: string, ctx: NodeLinesContext): NodeLine[] {
  const out: NodeLine[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.replace(/#.*$/, '').trim();
    if (!trimmed) return;
    const entry: NodeLine = { line: i + 1, text: raw, node: null, problem: null };
    out.push(entry);
    const parsed = parseLine(trimmed.split(/[\s,]+/).filter(Boolean), ctx);
    if (typeof parsed === 'string') return void (entry.problem = parsed);
    const first = seen.get(parsed.name);
    if (first !== undefined) return void (entry.problem = `"${parsed.name}" is listed twice (first on line ${first})`);
    seen.set(parsed.name, entry.line);
    if (ctx.existing?.has(parsed.name)) return void (entry.problem = `a node named "${parsed.name}" already exists`);
    entry.node = parsed;
  });
  return out;
}

/** "line 3: ..." for the first bad line, or null when every line is good. */
export function firstLineProblem(lines: readonly NodeLine[]): string | null {
  const bad = lines.find((l) => l.problem);
  return bad ? `line ${bad.line}: ${bad.problem}` : null;
}
