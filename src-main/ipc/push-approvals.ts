import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { sshTargetText } from '../core/nodes.ts';
import { getProfile } from '../profiles/index.ts';
import { writeFileAtomic } from '../vault/atomic.ts';
import type { NodeRecord } from '../vault/schema.ts';

/**
 * What the user confirmed in main's native dialog before the app pushed a node: one fingerprint of
 * everything a push acts on (SSH target and key file, destination, owner, restart command, CA trust)
 * per vault and node. A push whose settings match needs no new confirmation; any change (by the
 * page through editNode, or by the CLI) asks again. Kept in the app-data folder, never in the vault,
 * so neither the renderer nor a restored backup can bring approvals along.
 */

const fileSchema = z.object({ version: z.literal(1), confirmed: z.record(z.string(), z.string()) });

/** The settings a push acts on, as shown in the confirmation dialog. */
export interface PushSettingsView {
  node: string;
  target: string;
  keyFile: string | null;
  dest: string;
  owner: string | null;
  restart: string | null;
  trustCa: boolean;
}

export function pushSettingsView(node: NodeRecord): PushSettingsView | null {
  if (!node.ssh) return null;
  return {
    node: node.name,
    target: sshTargetText(node.ssh),
    keyFile: node.ssh.keyFile ?? null,
    dest: node.dest ?? getProfile(node.profile).defaultDest,
    owner: node.owner ?? null,
    restart: node.restart ?? null,
    trustCa: node.trustCa ?? false,
  };
}

function fingerprint(home: string, view: PushSettingsView): string {
  return createHash('sha256').update(JSON.stringify([home, view])).digest('hex');
}

/** One line per node for the dialog: where the key goes and what runs there. */
export function describePushSettings(view: PushSettingsView): string {
  const parts = [`${view.node}: ${view.target} -> ${view.dest}`];
  if (view.keyFile) parts.push(`  SSH key: ${view.keyFile}`);
  if (view.owner) parts.push(`  owner: ${view.owner}`);
  parts.push(`  runs after install: ${view.restart ?? '(nothing)'}`);
  if (view.trustCa) parts.push('  trusts the CA system-wide on the node');
  return parts.join('\n');
}

export class PushApprovals {
  private confirmed = new Map<string, string>();
  private loaded = false;
  /** `file` absent: kept in memory for this run only. */
  constructor(private readonly file?: () => string) {}

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const path = this.file?.();
    if (!path || !existsSync(path)) return;
    try {
      const parsed = fileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      this.confirmed = new Map(Object.entries(parsed.confirmed));
    } catch {
      // A damaged file only means every push asks once more.
      this.confirmed = new Map();
    }
  }

  /** The nodes whose current push settings the user has not confirmed yet. */
  unconfirmed(home: string, views: PushSettingsView[]): PushSettingsView[] {
    this.load();
    return views.filter((v) => this.confirmed.get(`${home}\n${v.node}`) !== fingerprint(home, v));
  }

  confirm(home: string, views: PushSettingsView[]): void {
    this.load();
    for (const v of views) this.confirmed.set(`${home}\n${v.node}`, fingerprint(home, v));
    const path = this.file?.();
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, `${JSON.stringify({ version: 1, confirmed: Object.fromEntries(this.confirmed) })}\n`);
  }
}
