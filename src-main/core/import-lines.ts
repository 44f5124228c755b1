import { DEFAULT_PROFILE_ID } from '../profiles/index.ts';
import { parseNodeLines } from './node-lines.ts';
import { MAIN_NAME_CHECKS, lineProfiles } from './node-lines-main.ts';

/**
 * A file of the app's "Add from list" lines (`name address... [profile=ID] [key=value...]`, see
 * node-lines.ts, the one parser of that syntax) as import entries; each bad line is a problem with
 * its number. Names and addresses are checked once more by buildNodeRecord when the nodes are made.
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

export function parseNodeLinesFile(text: string, defaultProfile = DEFAULT_PROFILE_ID): { entries: ImportEntry[]; problems: ImportProblem[] } {
  const entries: ImportEntry[] = [];
  const problems: ImportProblem[] = [];
  for (const l of parseNodeLines(text, { profiles: lineProfiles(), defaultProfile, checks: MAIN_NAME_CHECKS })) {
    if (l.node) entries.push({ line: l.line, ...l.node });
    else problems.push({ line: l.line, why: l.problem ?? 'not a node line' });
  }
  return { entries, problems };
}
