/**
 * The sidebar. A later screen (Trust store, Push, Lifecycle) becomes available by adding its view
 * to App.svelte's switch and flipping `ready` here.
 */
export type SectionId = 'ca' | 'nodes' | 'csr' | 'truststore' | 'push' | 'lifecycle' | 'rotation';

export interface Section {
  id: SectionId;
  title: string;
  icon: 'shield' | 'server' | 'signature' | 'lock' | 'upload' | 'clock' | 'refresh';
  ready: boolean;
  /** Shown on planned sections. */
  blurb?: string;
}

export const SECTIONS: readonly Section[] = [
  { id: 'ca', title: 'Certificate Authority', icon: 'shield', ready: true },
  { id: 'nodes', title: 'Nodes', icon: 'server', ready: true },
  { id: 'csr', title: 'Sign a CSR', icon: 'signature', ready: true },
  { id: 'truststore', title: 'Trust store', icon: 'lock', ready: true, blurb: 'Install the CA into this machine\'s trust stores (system, browsers, Java).' },
  { id: 'push', title: 'Push to nodes', icon: 'upload', ready: true, blurb: 'Copy bundles to nodes over SSH and check what each one serves.' },
  { id: 'lifecycle', title: 'Lifecycle', icon: 'clock', ready: true, blurb: 'Expiry watch, renewal, revocation and CA rotation.' },
  { id: 'rotation', title: 'CA rotation', icon: 'refresh', ready: true, blurb: 'Replace the CA without downtime: rotate, renew, push, retire.' },
];
