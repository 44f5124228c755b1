import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError, invalid, toUserError } from '../errors.ts';
import { fingerprintsIn, parseTrustedCa, type TrustedCa } from './ca-cert.ts';
import { resolveEnv, type TrustEnvOptions } from './env.ts';
import { Executor } from './exec.ts';
import { TRUST_STORES } from './registry.ts';
import { STORE_KINDS, type Detection, type StoreKind, type StoreResult, type TrustEnv, type TrustStore } from './types.ts';
import type { Elevator } from './elevate.ts';

export interface TrustOptions extends TrustEnvOptions {
  /** Which kinds of store; none means every store found on this machine. */
  stores?: StoreKind[];
  /** Build and return the exact commands without running them. */
  dryRun?: boolean;
  /**
   * A file holding exactly this CA certificate (the vault's ca.crt): commands name it, so a dry
   * run prints commands one can paste. Without it a private temporary copy is used.
   */
  caFile?: string;
  /** Name used in file names and nicknames (the CA's common name by default). */
  name?: string;
  /** How to ask for administrator rights (tests replace the OS prompt). */
  elevator?: Elevator;
}

/** What dry-run commands show for the CA file when the caller gave none. */
export const CA_FILE_PLACEHOLDER = '<ca-certificate.pem>';

function checkKinds(kinds: StoreKind[] | undefined): StoreKind[] | undefined {
  if (!kinds || kinds.length === 0) return undefined;
  for (const k of kinds) if (!STORE_KINDS.includes(k)) throw invalid(`unknown store "${k}"; use ${STORE_KINDS.join(', ')}`);
  return [...new Set(kinds)];
}

function baseResult(store: TrustStore, d: Detection): StoreResult {
  return {
    store: store.id,
    kind: store.kind,
    title: store.title,
    nameConstraints: store.nameConstraints,
    present: d.present,
    installed: false,
    changed: false,
    commands: [],
    message: d.note ?? '',
    locations: [],
    ...(d.missingTool ? { missingTool: d.missingTool } : {}),
  };
}

function withError(r: StoreResult, err: unknown): StoreResult {
  const e = toUserError(err);
  return { ...r, message: e.message, error: { code: e.code, message: e.message, appMessage: e.appMessage } };
}

async function detectAll(env: TrustEnv): Promise<Array<{ store: TrustStore; detection: Detection }>> {
  const applicable = TRUST_STORES.filter((s) => s.platforms.includes(env.platform));
  return Promise.all(applicable.map(async (store) => ({ store, detection: await store.detect(env) })));
}

/** Which stores hold our CA here, which exist, and which tool is missing. Changes nothing. */
export async function trustStatus(caPem: string, opts: TrustOptions = {}): Promise<StoreResult[]> {
  const ca = parseTrustedCa(caPem, opts.name);
  const env = resolveEnv(opts);
  const kinds = checkKinds(opts.stores);
  const exec = new Executor(env, true);
  const results: StoreResult[] = [];
  for (const { store, detection } of await detectAll(env)) {
    if (kinds && !kinds.includes(store.kind)) continue;
    const r = baseResult(store, detection);
    if (!detection.present) {
      results.push({ ...r, message: detection.note ?? 'not found here' });
    } else if (detection.missingTool) {
      results.push({ ...r, message: `${detection.missingTool.tool} is missing: install ${detection.missingTool.package}` });
    } else {
      try {
        const p = await store.isInstalled(ca, env, exec);
        results.push({
          ...r, installed: p.installed, locations: p.locations, commands: p.probes, message: p.installed ? `trusted (${p.locations.join(', ')})` : p.note ?? 'not trusted',
          ...(p.databases ? { databases: p.databases } : {}),
        });
      } catch (err) {
        results.push(withError(r, err));
      }
    }
  }
  return results;
}

/** The CA file the commands name: the caller's (checked to hold exactly this CA) or a private copy. */
function caFileFor(ca: TrustedCa, opts: TrustOptions): { path: string; cleanup(): void } {
  if (opts.caFile) {
    const path = resolve(opts.caFile);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      throw invalid(`cannot read the CA file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const fps = fingerprintsIn(data);
    if (fps.length !== 1 || fps[0] !== ca.sha256) throw invalid(`${path} does not hold exactly this CA certificate`);
    return { path, cleanup: () => {} };
  }
  if (opts.dryRun) return { path: CA_FILE_PLACEHOLDER, cleanup: () => {} };
  // A fresh private folder: a predictable name in /tmp could be swapped by another user before root copies it.
  const dir = mkdtempSync(join(tmpdir(), 'cluster-trust-ca-'));
  const path = join(dir, `${ca.label}.pem`);
  writeFileSync(path, ca.pem, { mode: 0o644 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function change(action: 'install' | 'uninstall', caPem: string, opts: TrustOptions): Promise<StoreResult[]> {
  const ca = parseTrustedCa(caPem, opts.name);
  const env = resolveEnv(opts);
  const kinds = checkKinds(opts.stores);
  const exec = new Executor(env, opts.dryRun === true, opts.elevator);
  const detected = await detectAll(env);
  const chosen = detected.filter(({ store, detection }) => (kinds ? kinds.includes(store.kind) : detection.present));
  const results: StoreResult[] = [];
  // Asked for by name but not here: say so once per kind rather than silently doing nothing.
  for (const kind of kinds ?? []) {
    const ofKind = chosen.filter((c) => c.store.kind === kind);
    if (ofKind.some((c) => c.detection.present)) continue;
    const message = kind === 'system' ? 'no system trust store found on this machine' : ofKind[0]?.detection.note ?? `no ${kind} store on this platform`;
    const store = ofKind[0]?.store ?? TRUST_STORES.find((s) => s.kind === kind)!;
    results.push(withError(baseResult(store, { present: false }), new UserError('not-found', message)));
  }
  const file = caFileFor(ca, opts);
  let cancelled = false;
  try {
    for (const { store, detection } of chosen) {
      if (!detection.present) continue;
      const r = baseResult(store, detection);
      if (cancelled) {
        results.push(withError(r, new UserError('cancelled', 'not attempted: an earlier administrator prompt was cancelled')));
        continue;
      }
      if (detection.missingTool) {
        results.push(withError(r, new UserError('not-found', `${detection.missingTool.tool} is missing: install ${detection.missingTool.package}`)));
        continue;
      }
      try {
        const c = await store[action](ca, file.path, env, exec);
        results.push({ ...r, ...c, ...(exec.dryRun ? { dryRun: true } : {}) });
      } catch (err) {
        const failed = withError(r, err);
        if (failed.error?.code === 'cancelled') cancelled = true;
        results.push(failed);
      }
    }
  } finally {
    file.cleanup();
  }
  return results;
}

/** Trusts the CA in the chosen stores (all found here by default); installing twice changes nothing. */
export function trustInstall(caPem: string, opts: TrustOptions = {}): Promise<StoreResult[]> {
  return change('install', caPem, opts);
}

/** Removes the CA (found by fingerprint) from the chosen stores; absent is reported, not an error. */
export function trustUninstall(caPem: string, opts: TrustOptions = {}): Promise<StoreResult[]> {
  return change('uninstall', caPem, opts);
}
