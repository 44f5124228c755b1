import type { ErrorCode } from '../errors.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Executor } from './exec.ts';
import type { NameConstraintSupport } from './name-constraints.ts';

/** Every trust store we know. System stores are one per OS family; nss and java sit beside them. */
export type StoreId = 'debian' | 'rhel' | 'arch' | 'opensuse' | 'freebsd' | 'macos' | 'windows' | 'nss' | 'java';

/** What `--store` picks: the OS's own store, browsers' NSS databases, or Java's cacerts. */
export type StoreKind = 'system' | 'nss' | 'java';
export const STORE_KINDS: readonly StoreKind[] = ['system', 'nss', 'java'];

/** A tool a store needs and the package that provides it on this OS. */
export interface MissingTool {
  tool: string;
  package: string;
}

export type { TrustEnv } from './trust-env.ts';
import type { TrustEnv } from './trust-env.ts';


/** What `detect` finds: does the store exist here, and can we work on it. */
export interface Detection {
  present: boolean;
  missingTool?: MissingTool;
  /** One line for people when absent or unusable. */
  note?: string;
}

/** One database of a store with the program that reads it (NSS: each browser's database). */
export interface StoreDatabase {
  /** For people: "Chromium", "Firefox ESR profile abcd.default-esr". */
  browser: string;
  path: string;
  /** Holds our CA with trust for TLS servers. */
  trusted: boolean;
  /** Not there yet (a browser installed but never run): an install creates it. */
  toCreate?: boolean;
}

/** Where our CA was found (matched by SHA-256 fingerprint, never by name). */
export interface Presence {
  installed: boolean;
  /** Files, databases or keystore aliases that hold it. */
  locations: string[];
  /** Read-only commands run to find out. */
  probes: string[][];
  /** Anchored but not yet in the compiled bundle, or similar half states, for people. */
  note?: string;
  databases?: StoreDatabase[];
}

/** What one store did (or would do under dry run). */
export interface StoreResult {
  store: StoreId;
  kind: StoreKind;
  title: string;
  nameConstraints: NameConstraintSupport;
  /** The store exists on this machine. */
  present: boolean;
  /** It holds our CA (after the action, or as planned under dry run). */
  installed: boolean;
  /** This call changed the store. */
  changed: boolean;
  /** The exact argv run, in order (or that would run under dry run). */
  commands: string[][];
  message: string;
  locations: string[];
  missingTool?: MissingTool;
  /** The commands ran through the OS administrator prompt. */
  elevated?: boolean;
  dryRun?: boolean;
  /** message: the CLI's words; appMessage: the app's, when they differ (see UserError). */
  error?: { code: ErrorCode; message: string; appMessage?: string };
  /** Each database the store found (or would create) and whether it holds the CA. */
  databases?: StoreDatabase[];
}

/** The outcome a store's install/uninstall reports; the service adds store id, kind and title. */
export interface StoreChange {
  installed: boolean;
  changed: boolean;
  commands: string[][];
  message: string;
  locations: string[];
  elevated?: boolean;
  databases?: StoreDatabase[];
}

/** One trust store behind one small interface: adding an OS is adding one file. */
export interface TrustStore {
  id: StoreId;
  kind: StoreKind;
  title: string;
  /** Whether the software reading this store enforces a root's nameConstraints. */
  nameConstraints: NameConstraintSupport;
  /** OSes where this store can exist. */
  platforms: readonly NodeJS.Platform[];
  detect(env: TrustEnv): Promise<Detection>;
  isInstalled(ca: TrustedCa, env: TrustEnv, exec: Executor): Promise<Presence>;
  /** `caFile` is a file holding exactly the CA's PEM, readable by the tools (and by root). */
  install(ca: TrustedCa, caFile: string, env: TrustEnv, exec: Executor): Promise<StoreChange>;
  uninstall(ca: TrustedCa, caFile: string, env: TrustEnv, exec: Executor): Promise<StoreChange>;
}
