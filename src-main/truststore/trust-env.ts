/**
 * Where the stores live and how tools run. Every path a store touches derives from this, so tests
 * point stores at temporary folders and fake roots instead of this machine.
 */
export interface TrustEnv {
  /** Which OS's stores apply (process.platform unless a test says otherwise). */
  platform: NodeJS.Platform;
  /** Prefix of every system path ('/' normally). */
  root: string;
  /** The user's home, where NSS databases are looked for. */
  home: string;
  /** XDG_DATA_HOME (Chromium's NSS database since M146) and XDG_CONFIG_HOME (Firefox 147+ profiles) of that home. */
  dataHome: string;
  configHome: string;
  /** NSS database folders to use instead of looking for Chromium's and Firefox's. */
  nssDbs?: string[];
  /** A Java keystore to use instead of the JDK's own cacerts. */
  javaKeystore?: string;
  javaStorePass: string;
  javaHome?: string;
  /** The environment tools run with (PATH decides which binary runs). */
  processEnv: NodeJS.ProcessEnv;
  isRoot: boolean;
  /** auto: run directly when root or when we can write the store, else ask the OS; the others force one way. */
  privilege: 'auto' | 'direct' | 'elevate';
}
