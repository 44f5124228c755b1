import { debianStore } from './debian.ts';
import { rhelStore } from './rhel.ts';
import { archStore } from './arch.ts';
import { opensuseStore } from './opensuse.ts';
import { freebsdStore } from './freebsd.ts';
import { macosStore } from './macos.ts';
import { windowsStore } from './windows.ts';
import { nssStore } from './nss.ts';
import { javaStore } from './java.ts';
import type { TrustStore } from './types.ts';

/** The Unix system stores (an anchors folder and a tool): what a node's OS table line (os-families.ts) names. */
export const ANCHOR_STORES = [debianStore, rhelStore, archStore, opensuseStore, freebsdStore] as const;

/** Every store, in the order they are worked on: the OS's own first, then browsers, then Java. */
export const TRUST_STORES: readonly TrustStore[] = [...ANCHOR_STORES, macosStore, windowsStore, nssStore, javaStore];
