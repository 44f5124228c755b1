import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_WARN_DAYS, MAX_WARN_DAYS, summarizeNodes, warnDaysOf } from '../core/status.ts';
import { writeFileAtomic } from '../vault/atomic.ts';
import { UserError } from '../errors.ts';
import type { CoreContext } from '../core/context.ts';
import { DAY_MS } from '../pki/days.ts';

/**
 * Desktop notices when a certificate enters its renewal window (or expires): checked at start and
 * once a day while the app runs. Which certificates were already announced, and whether notices
 * are on at all, live in a small settings file in the app-data folder, not in the vault.
 */

const settingsSchema = z.object({
  notifyExpiry: z.boolean().default(true),
  /** Fewer days left than this and a certificate shows amber and counts as due (core/status.ts). */
  expiryWarnDays: z.number().int().min(1).max(MAX_WARN_DAYS).default(DEFAULT_WARN_DAYS),
  /** Serials already announced, so each certificate is announced once per state. */
  notified: z.array(z.string().max(80)).max(100_000).default([]),
});
export type AppSettings = z.infer<typeof settingsSchema>;


export function readSettings(file: string): AppSettings {
  if (!existsSync(file)) return settingsSchema.parse({});
  try {
    return settingsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    // A damaged settings file must not stop the app: start from the defaults (notices on).
    return settingsSchema.parse({});
  }
}

/** Atomic like the vault's writes (temp, fsync, rename, fsync dir): a crash leaves the old settings or the new. */
export function writeSettings(file: string, settings: AppSettings): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}

export interface ExpiryNotice {
  key: string;
  node: string;
  state: 'renew' | 'expired';
  daysLeft: number;
}

/** Certificates in their renewal window or expired that were not announced yet. */
export function newNotices(ctx: CoreContext, announced: ReadonlySet<string>): ExpiryNotice[] {
  const inv = ctx.vault.read();
  if (!inv.cas.length) return [];
  const out: ExpiryNotice[] = [];
  for (const s of summarizeNodes(inv, ctx.now(), undefined, warnDaysOf(ctx))) {
    if (!s.cert || (s.state !== 'renew' && s.state !== 'expired')) continue;
    const key = `${s.cert.serial}:${s.state}`;
    if (!announced.has(key)) out.push({ key, node: s.node.name, state: s.state, daysLeft: s.daysLeft ?? 0 });
  }
  return out;
}

export function noticeText(notices: ExpiryNotice[]): { title: string; body: string } {
  const expired = notices.filter((n) => n.state === 'expired');
  const title = expired.length ? 'Certificates have expired' : 'Certificates are due for renewal';
  const shown = notices.slice(0, 5).map((n) => (n.state === 'expired' ? `${n.node}: expired` : `${n.node}: ${n.daysLeft} days left`));
  const more = notices.length > 5 ? ` and ${notices.length - 5} more` : '';
  return { title, body: `${shown.join(', ')}${more}. Open Lifecycle to renew.` };
}

/** One check: announces what is new (when notices are on) and remembers it. Returns what it announced. */
export function checkOnce(ctx: CoreContext, settingsFile: string, notify: (title: string, body: string) => void): ExpiryNotice[] {
  const settings = readSettings(settingsFile);
  if (!settings.notifyExpiry) return [];
  const notices = newNotices(ctx, new Set(settings.notified));
  if (notices.length === 0) return [];
  const { title, body } = noticeText(notices);
  notify(title, body);
  writeSettings(settingsFile, { ...settings, notified: [...settings.notified, ...notices.map((n) => n.key)].slice(-10_000) });
  return notices;
}

/** Checks at start and every day; errors (no vault yet, locked) wait for the next check. Returns stop(). */
export function startExpiryWatch(context: () => CoreContext, settingsFile: () => string, notify: (title: string, body: string) => void): () => void {
  const run = () => {
    try {
      checkOnce(context(), settingsFile(), notify);
    } catch {
      // Nothing to announce from a vault that cannot be read now; the window shows why.
    }
  };
  run();
  const timer = setInterval(run, DAY_MS);
  timer.unref?.();
  return () => clearInterval(timer);
}

export function checkSettingsFile(file: string | undefined): string {
  if (!file) throw new UserError('refused', 'app settings are not available here');
  return file;
}
