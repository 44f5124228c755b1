/** One file a bundle carries. Paths are relative to the bundle's root and use forward slashes. */
export interface BundleFile {
  path: string;
  content: string | Buffer;
  /** 0o600 for private keys, 0o644 for everything else. */
  mode: number;
  /** Shown in the bundle's README.txt and in the GUI. */
  description: string;
}
