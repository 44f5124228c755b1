import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { Vault } from './vault.ts';

/** Where entries go and what time it is: a CoreContext fits (kept structural so the vault layer needs no core). */
export interface AuditTarget {
  vault: Vault;
  now: () => Date;
}

/** The audit log: one JSON object per line, only ever appended to. */
export const AUDIT_FILE = 'audit.jsonl';

export type AuditOutcome = 'ok' | 'failed' | 'refused';

/**
 * What an operation reports. The fields are fixed on purpose: names, serials, fingerprints and a
 * short detail, never keys or passphrases.
 */
export interface AuditInput {
  /** Dotted verb: ca.create, issue, renew, revoke, crl, ca.rotate, bundle.export, trust.install, push... */
  action: string;
  node?: string;
  serial?: string;
  fingerprint?: string;
  outcome?: AuditOutcome;
  /** One short human line (a reason, a format, a host); no secrets. */
  detail?: string;
}

export interface AuditEntry extends AuditInput {
  time: string;
  outcome: AuditOutcome;
}

const MAX_DETAIL = 300;

function entryOf(input: AuditInput, time: string): AuditEntry {
  const entry: AuditEntry = { time, action: input.action, outcome: input.outcome ?? 'ok' };
  if (input.node !== undefined) entry.node = input.node;
  if (input.serial !== undefined) entry.serial = input.serial;
  if (input.fingerprint !== undefined) entry.fingerprint = input.fingerprint;
  if (input.detail !== undefined) entry.detail = input.detail.replace(/\s+/g, ' ').slice(0, MAX_DETAIL);
  return entry;
}

/**
 * Appends entries to the vault's log (O_APPEND, one write, fsync). Called after an operation has
 * landed, so the log never claims a change the vault does not hold. A log that cannot be written
 * does not undo the operation; it is reported as a warning instead.
 */
export function audit(ctx: AuditTarget, entries: AuditInput | AuditInput[]): void {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0 || !existsSync(ctx.vault.home)) return;
  const time = ctx.now().toISOString();
  const text = list.map((e) => `${JSON.stringify(entryOf(e, time))}\n`).join('');
  try {
    const fd = openSync(ctx.vault.path(AUDIT_FILE), 'a', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    process.emitWarning(`could not append to the audit log in ${ctx.vault.home}: ${(err as Error).message}`);
  }
}

function isEntry(value: unknown): value is AuditEntry {
  const v = value as Partial<AuditEntry> | null;
  return !!v && typeof v === 'object' && typeof v.time === 'string' && typeof v.action === 'string' && typeof v.outcome === 'string';
}

/** One line's entry, if it is one that passes the filter (a torn or foreign line is skipped, not fatal). */
function entryIn(line: string, filter: { node?: string }): AuditEntry | undefined {
  if (!line.trim()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isEntry(parsed) && (filter.node === undefined || parsed.node === filter.node) ? parsed : undefined;
}

/** The log, oldest first. A torn last line (a crash mid-append) is skipped rather than fatal. */
export function readAudit(ctx: AuditTarget, filter: { node?: string } = {}): AuditEntry[] {
  const file = ctx.vault.path(AUDIT_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').flatMap((line) => entryIn(line, filter) ?? []);
}

/**
 * The newest `limit` entries, newest first: what `readAudit(...).slice(-limit).reverse()` gives,
 * read backwards from the end of the file only as far as they go (a long history costs a view no
 * more than its last page). Lines split at byte 0x0a, which no UTF-8 sequence contains.
 */
export function readAuditNewest(ctx: AuditTarget, limit: number, filter: { node?: string } = {}, chunkBytes = 256 * 1024): AuditEntry[] {
  const out: AuditEntry[] = [];
  if (limit <= 0) return out;
  let fd: number;
  try {
    fd = openSync(ctx.vault.path(AUDIT_FILE), 'r');
  } catch {
    return out; // no log yet
  }
  try {
    let pos = fstatSync(fd).size;
    let rest = Buffer.alloc(0); // the start of a line whose beginning is further back
    while (pos > 0) {
      const len = Math.min(chunkBytes, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      let got = 0;
      while (got < len) got += readSync(fd, chunk, got, len - got, pos + got) || len; // a shrinking file ends the read
      const data = rest.length ? Buffer.concat([chunk, rest]) : chunk;
      let end = data.length;
      for (let nl = data.lastIndexOf(0x0a, end - 1); nl >= 0; nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1) {
        const entry = entryIn(data.toString('utf8', nl + 1, end), filter);
        if (entry && out.push(entry) >= limit) return out;
        end = nl;
      }
      rest = data.subarray(0, end);
    }
    const first = entryIn(rest.toString('utf8'), filter);
    if (first && out.length < limit) out.push(first);
    return out;
  } finally {
    closeSync(fd);
  }
}
